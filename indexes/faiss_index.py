"""FaissVectorIndex: a thread-safe FAISS index keyed by chunk id, exact when small and HNSW when large."""

from __future__ import annotations

import logging
import threading
import zipfile
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from indexes.base import IndexCorrupt
from indexes.faiss_stores import FlatStore, HnswStore
from indexes.files import write_atomically

logger = logging.getLogger(__name__)

FILE_NAME = "vectors.npz"
FORMAT_VERSION = 1


def _as_query(query: np.ndarray, dimension: int) -> np.ndarray:
    query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
    if query.shape[1] != dimension:
        raise ValueError(f"query has dimension {query.shape[1]}, the index has {dimension}")
    return query


def _last_occurrences(ids: Sequence[int], vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # A batch that names an id twice keeps its last vector, as sequential upserts would.
    ids = np.asarray(ids, dtype=np.int64).reshape(-1)
    reversed_first = np.unique(ids[::-1], return_index=True)[1]
    keep = np.sort(len(ids) - 1 - reversed_first)
    return ids[keep], vectors[keep]


class FaissVectorIndex:
    """Cosine search over unit vectors: exact (flat) up to `hnsw_threshold` vectors, HNSW above it.

    One lock guards every operation, so a search never sees half an add or remove. Rebuilding the
    HNSW graph (on crossing the threshold, or when removed vectors exceed `max_dead_fraction` of it)
    runs outside the lock; changes made meanwhile are replayed onto the new graph before it is swapped in.
    """

    def __init__(self, dimension: int, hnsw_threshold: int = 50_000, max_dead_fraction: float = 0.25,
                 hnsw_m: int = 32, ef_construction: int = 80, ef_search: int = 64) -> None:
        self._dimension = dimension
        self.hnsw_threshold = hnsw_threshold
        self.max_dead_fraction = max_dead_fraction
        self._hnsw_options = {"m": hnsw_m, "ef_construction": ef_construction, "ef_search": ef_search}
        self._lock = threading.Lock()
        self._store: FlatStore | HnswStore = FlatStore(dimension)
        # Changes made while a rebuild runs; None when no rebuild is running.
        self._pending: list[tuple[str, tuple]] | None = None
        # Bumped by rebuild() and load(), so a background rebuild started before them is discarded.
        self._generation = 0

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def mode(self) -> str:
        """"flat" (exact) or "hnsw" (approximate)."""
        return self._store.mode

    def __len__(self) -> int:
        return len(self._store)

    def ids(self) -> set[int]:
        """Every id currently indexed."""
        with self._lock:
            if isinstance(self._store, FlatStore):
                return set(self._store.members)
            return set(self._store.id_labels)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Insert or replace the vectors stored under `ids`."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self._dimension)
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
        if not len(ids):
            return
        ids, vectors = _last_occurrences(ids, vectors)
        with self._lock:
            self._store.add(ids, vectors)
            if self._pending is not None:
                self._pending.append(("add", (ids, vectors)))
        self._rebuild_if_needed()

    def remove(self, ids: Sequence[int]) -> int:
        """Delete `ids` and return how many were present; they leave search results immediately."""
        ids = [int(i) for i in ids]
        with self._lock:
            removed = self._store.remove(ids)
            if self._pending is not None:
                self._pending.append(("remove", (ids,)))
        self._rebuild_if_needed()
        return removed

    def search(self, query: np.ndarray, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        """The `k` nearest ids by inner product, best first, optionally only among `allowed_ids`."""
        query = _as_query(query, self._dimension)
        with self._lock:
            return self._store.search(query, k, allowed_ids)

    def scores(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Exact inner products of `query` with the stored vectors of `ids` (unknown ids left out)."""
        query = _as_query(query, self._dimension)
        with self._lock:
            return self._store.scores_of(query, list(ids))

    def _target_mode(self, live: int, current: str) -> str:
        if live > self.hnsw_threshold:
            return "hnsw"
        # Hysteresis: HNSW returns to flat only well below the threshold, so the boundary never flaps.
        if current == "hnsw" and live >= self.hnsw_threshold // 2:
            return "hnsw"
        return "flat"

    def _needs_rebuild(self) -> bool:
        store = self._store
        if self._target_mode(len(store), store.mode) != store.mode:
            return True
        return isinstance(store, HnswStore) and store.dead_count > self.max_dead_fraction * len(store.label_ids)

    def _rebuild_if_needed(self) -> None:
        with self._lock:
            if self._pending is not None or not self._needs_rebuild():
                return
            ids, vectors = self._store.all_vectors()
            current = self._store.mode
            self._pending = []
            generation = self._generation
        try:
            store = self._build_store(ids, vectors, current)
        except BaseException:
            with self._lock:
                self._pending = None
            raise
        with self._lock:
            pending, self._pending = self._pending, None
            if generation != self._generation:
                return
            for operation, arguments in pending:
                getattr(store, operation)(*arguments)
            logger.info("faiss index rebuilt as %s with %d vectors", store.mode, len(store))
            self._store = store

    def _build_store(self, ids: np.ndarray, vectors: np.ndarray, current: str) -> FlatStore | HnswStore:
        if self._target_mode(len(ids), current) == "hnsw":
            store = HnswStore(self._dimension, **self._hnsw_options)
        else:
            store = FlatStore(self._dimension)
        if len(ids):
            store.add(ids, vectors)
        return store

    def rebuild(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Replace the whole contents with `ids` and `vectors` (built outside the lock, swapped in at once)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, self._dimension)
        ids, vectors = _last_occurrences(ids, vectors) if len(ids) else (np.empty(0, np.int64), vectors)
        store = self._build_store(ids, vectors, current="flat")
        with self._lock:
            self._store = store
            self._generation += 1

    def save(self, directory: Path) -> None:
        """Write `directory/vectors.npz` atomically (one file, so it is replaced as a whole)."""
        with self._lock:
            store = self._store
            arrays = {
                "format_version": np.array(FORMAT_VERSION),
                "dimension": np.array(self._dimension),
                "mode": np.array(store.mode),
                "index": faiss.serialize_index(store.index),
            }
            if isinstance(store, HnswStore):
                arrays["label_ids"] = store.label_ids.copy()
                arrays["live"] = store.live.copy()
        write_atomically(Path(directory) / FILE_NAME, lambda handle: np.savez(handle, **arrays))

    def load(self, directory: Path) -> None:
        """Replace the contents with `directory/vectors.npz`; raises IndexCorrupt if missing or damaged."""
        path = Path(directory) / FILE_NAME
        try:
            # Reading every member makes zipfile verify its CRC, so a flipped byte is caught here.
            with np.load(path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in archive.files}
            store = self._store_from_arrays(arrays)
        except FileNotFoundError as error:
            raise IndexCorrupt(f"vector index file {path} is missing") from error
        except (OSError, ValueError, KeyError, RuntimeError, EOFError, zipfile.BadZipFile) as error:
            raise IndexCorrupt(f"vector index file {path} is unreadable: {error}") from error
        with self._lock:
            self._store = store
            self._generation += 1

    def _store_from_arrays(self, arrays: dict[str, np.ndarray]) -> FlatStore | HnswStore:
        if int(arrays["format_version"]) != FORMAT_VERSION:
            raise ValueError(f"format version {int(arrays['format_version'])} is not {FORMAT_VERSION}")
        if int(arrays["dimension"]) != self._dimension:
            raise ValueError(f"saved for dimension {int(arrays['dimension'])}, expected {self._dimension}")
        # Already the concrete class; faiss.downcast_index would return a wrapper that does not own it.
        index = faiss.deserialize_index(arrays["index"])
        if index.d != self._dimension:
            raise ValueError(f"faiss index has dimension {index.d}, expected {self._dimension}")
        mode = str(arrays["mode"])
        if mode == "flat" and isinstance(index, faiss.IndexIDMap2):
            return FlatStore(self._dimension, index=index)
        if mode == "hnsw" and isinstance(index, faiss.IndexHNSWFlat):
            label_ids, live = arrays["label_ids"].astype(np.int64), arrays["live"].astype(bool)
            if not len(label_ids) == len(live) == index.ntotal:
                raise ValueError("hnsw labels do not match the graph size")
            return HnswStore(self._dimension, index=index, label_ids=label_ids, live=live,
                             ef_search=self._hnsw_options["ef_search"])
        raise ValueError(f"index mode {mode!r} does not match a {type(index).__name__}")
