"""Index protocols shared by the vector, keyword and hybrid searchers, plus their result and error types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


class IndexCorrupt(Exception):
    """An index file is missing, truncated or unreadable; the caller should rebuild it from the database."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked chunk with the fused score and what each retriever contributed.

    `semantic_score` is the cosine similarity from the vector index and `keyword_score` the BM25 score;
    either is None when that retriever was not used or did not score the chunk.
    """

    chunk_id: int
    score: float
    semantic_score: float | None
    keyword_score: float | None


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest-neighbour search over unit-length float32 vectors keyed by stable integer chunk ids.

    Scores are inner products, i.e. cosine similarities for the normalised vectors embedders produce.
    Implementations are thread-safe: a search running beside `add` or `remove` sees the index either
    before or after the change, never half of it, and a removed id is never returned once `remove`
    has returned.
    """

    @property
    def dimension(self) -> int:
        """Length of every vector in the index."""
        ...

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Insert or replace the vectors (shape `(len(ids), dimension)`) stored under `ids`.

        Re-adding an existing id replaces its vector; ids are never renumbered by later removals.
        """
        ...

    def remove(self, ids: Sequence[int]) -> int:
        """Delete `ids` (unknown ids are ignored) and return how many were present."""
        ...

    def search(self, query: np.ndarray, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        """The `k` most similar ids with their scores, best first.

        With `allowed_ids`, only those ids may be returned, and the index still returns `k` hits
        whenever at least `k` allowed ids are indexed (filtering happens inside the search, not after).
        """
        ...

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Exact scores of `query` against the given ids; ids not in the index are left out."""
        ...

    def ids(self) -> set[int]:
        """Every id currently indexed."""
        ...

    def __len__(self) -> int:
        """Number of live (not removed) vectors."""
        ...

    def save(self, directory: Path) -> None:
        """Persist the index into `directory` atomically: a crash leaves the previous file or the new one."""
        ...

    def load(self, directory: Path) -> None:
        """Replace this index's contents with the one saved in `directory`.

        Raises `IndexCorrupt` when the file is missing, damaged or was written for another dimension,
        so the caller can rebuild from the source of truth.
        """
        ...


@runtime_checkable
class KeywordIndex(Protocol):
    """Lexical (BM25-style) search over chunk texts keyed by stable integer chunk ids.

    Scores are unbounded and only comparable within one query; ids that share no term with the query
    are not returned. Implementations are thread-safe with the same guarantees as `VectorIndex`.
    """

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Insert or replace the texts stored under `ids`."""
        ...

    def remove(self, ids: Sequence[int]) -> int:
        """Delete `ids` (unknown ids are ignored) and return how many were present."""
        ...

    def search(self, query: str, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        """Up to `k` ids matching `query` with their scores, best first, restricted to `allowed_ids` if given."""
        ...

    def scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """Scores of `query` for the given ids (0.0 when no term matches); ids not in the index are left out."""
        ...

    def max_score(self, query: str) -> float:
        """An upper bound of any document's score for `query` (0.0 when no query term is indexed).

        Dividing a score by it gives the share of the query's term weight a document covers, a number
        comparable across queries and corpora, which hybrid fusion relies on.
        """
        ...

    def ids(self) -> set[int]:
        """Every id currently indexed."""
        ...

    def __len__(self) -> int:
        """Number of indexed texts."""
        ...

    def save(self, directory: Path) -> None:
        """Persist the index into `directory` atomically: a crash leaves the previous file or the new one."""
        ...

    def load(self, directory: Path) -> None:
        """Replace this index's contents with the one saved in `directory`; raises `IndexCorrupt` if unreadable."""
        ...
