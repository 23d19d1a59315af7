"""Vectorised chunk id -> position lookup, so filters over thousands of ids stay off the Python loop."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np


def as_id_array(ids: Collection[int]) -> np.ndarray:
    """Any collection of ids as an int64 array."""
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False)
    return np.fromiter(ids, dtype=np.int64, count=len(ids))


class IdPositions:
    """Where each id sits in some array (a FAISS label, a BM25 row), answered for many ids at once."""

    def __init__(self, ids: np.ndarray, positions: np.ndarray) -> None:
        order = np.argsort(ids, kind="stable")
        self._ids = ids[order]
        self._positions = positions[order]

    def positions_of(self, wanted: Collection[int]) -> np.ndarray:
        """Positions of the wanted ids that are present (absent ids are skipped)."""
        wanted = as_id_array(wanted)
        if not len(self._ids) or not len(wanted):
            return np.empty(0, dtype=self._positions.dtype)
        slots = np.minimum(np.searchsorted(self._ids, wanted), len(self._ids) - 1)
        return self._positions[slots[self._ids[slots] == wanted]]
