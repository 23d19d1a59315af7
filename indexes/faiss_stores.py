"""The two FAISS layouts behind FaissVectorIndex: exact flat search and HNSW with tombstones.

Neither class locks; FaissVectorIndex serialises access to them.
"""

from __future__ import annotations

from collections.abc import Collection

import faiss
import numpy as np

from indexes.ids import IdPositions, as_id_array
from indexes.ranking import top_k

# Up to this many allowed vectors a filtered HNSW search scores them all exactly (~4 ms for 20k x 384
# on one core): a graph walk under a tight filter misses many true neighbours.
EXACT_SCAN_LIMIT = 20_000


def _hits(distances: np.ndarray, labels: np.ndarray) -> list[tuple[np.int64, np.float32]]:
    keep = labels[0] >= 0
    return list(zip(labels[0][keep], distances[0][keep]))


def _inner_products(flat: faiss.IndexFlat, query: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """query . vector for the given storage positions, read in place (no gathered copy of the vectors)."""
    positions = np.ascontiguousarray(positions, dtype=np.int64)
    out = np.empty(len(positions), dtype=np.float32)
    if len(positions):
        faiss.fvec_inner_products_by_idx(faiss.swig_ptr(out), faiss.swig_ptr(query), flat.get_xb(),
                                         faiss.swig_ptr(positions), flat.d, 1, len(positions))
    return out


class FlatStore:
    """Exact inner-product search (IndexIDMap2 over IndexFlatIP); deletes are real."""

    mode = "flat"

    def __init__(self, dimension: int, index: faiss.IndexIDMap2 | None = None) -> None:
        self.dimension = dimension
        self.index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self.members: set[int] = set(faiss.vector_to_array(self.index.id_map).tolist())
        # Storage position -> id and back; dropped on every change, rebuilt by the next filtered search.
        self._stored: np.ndarray | None = None
        self._lookup: IdPositions | None = None

    def __len__(self) -> int:
        return len(self.members)

    def _flat(self) -> faiss.IndexFlat:
        return faiss.downcast_index(self.index.index)

    def _positions_of(self, ids: Collection[int]) -> tuple[np.ndarray, np.ndarray]:
        """Storage positions of the indexed subset of `ids`, and the ids found there."""
        if self._lookup is None or self._stored is None:
            self._stored = faiss.vector_to_array(self.index.id_map).astype(np.int64)
            self._lookup = IdPositions(self._stored, np.arange(len(self._stored)))
        positions = self._lookup.positions_of(ids)
        return positions, self._stored[positions]

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        replaced = [int(i) for i in ids if int(i) in self.members]
        if replaced:
            self.remove(replaced)
        self.index.add_with_ids(vectors, ids)
        self.members.update(ids.tolist())
        self._lookup = self._stored = None

    def remove(self, ids: Collection[int]) -> int:
        present = np.array([i for i in set(ids) if i in self.members], dtype=np.int64)
        if len(present):
            self.index.remove_ids(faiss.IDSelectorBatch(present))
            self.members.difference_update(present.tolist())
            self._lookup = self._stored = None
        return len(present)

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None) -> list[tuple[int, float]]:
        if allowed_ids is None:
            k = min(k, len(self.members))
            if k <= 0:
                return []
            distances, labels = self.index.search(query, k)
            return [(int(i), float(s)) for i, s in _hits(distances, labels)]
        # Score only the allowed vectors: exact, and cheaper than a full scan that skips the rest.
        positions, ids = self._positions_of(as_id_array(allowed_ids))
        return top_k(ids, _inner_products(self._flat(), query, positions), k)

    def scores_of(self, query: np.ndarray, ids: Collection[int]) -> dict[int, float]:
        """Exact scores for the indexed subset of `ids`."""
        positions, present = self._positions_of(ids)
        scores = _inner_products(self._flat(), query, positions)
        return dict(zip(present.tolist(), scores.tolist()))

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (id, vector) pair, in storage order."""
        ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
        flat = self._flat()
        vectors = faiss.rev_swig_ptr(flat.get_xb(), flat.ntotal * self.dimension)
        return ids, np.array(vectors, dtype=np.float32).reshape(flat.ntotal, self.dimension)


class HnswStore:
    """Approximate search (IndexHNSWFlat, inner product) over internal labels mapped to chunk ids.

    HNSW cannot delete, so a removed or replaced vector stays in the graph as a tombstone that a
    selector hides from every search; FaissVectorIndex rebuilds the graph once tombstones pile up.
    """

    mode = "hnsw"

    def __init__(self, dimension: int, m: int = 32, ef_construction: int = 80, ef_search: int = 64,
                 index: faiss.IndexHNSWFlat | None = None, label_ids: np.ndarray | None = None,
                 live: np.ndarray | None = None) -> None:
        self.dimension = dimension
        self.ef_search = ef_search
        if index is None:
            index = faiss.IndexHNSWFlat(dimension, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
        self.index = index
        self.label_ids = label_ids if label_ids is not None else np.empty(0, dtype=np.int64)
        self.live = live if live is not None else np.empty(0, dtype=bool)
        self.id_labels = {int(self.label_ids[label]): int(label) for label in np.flatnonzero(self.live)}
        # Both derived from `live`; dropped on every change and rebuilt by the next search that needs them.
        self._live_bitmap: np.ndarray | None = None
        self._lookup: IdPositions | None = None

    def __len__(self) -> int:
        return len(self.id_labels)

    @property
    def dead_count(self) -> int:
        return len(self.label_ids) - len(self.id_labels)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._tombstone(ids.tolist())
        first = len(self.label_ids)
        self.index.add(vectors)
        self.label_ids = np.concatenate([self.label_ids, ids])
        self.live = np.concatenate([self.live, np.ones(len(ids), dtype=bool)])
        self.id_labels.update((chunk_id, first + row) for row, chunk_id in enumerate(ids.tolist()))
        self._live_bitmap = self._lookup = None

    def remove(self, ids: Collection[int]) -> int:
        return self._tombstone(set(ids))

    def _tombstone(self, ids: Collection[int]) -> int:
        removed = 0
        for chunk_id in ids:
            label = self.id_labels.pop(chunk_id, None)
            if label is not None:
                self.live[label] = False
                removed += 1
        if removed:
            self._live_bitmap = self._lookup = None
        return removed

    def _storage(self) -> faiss.IndexFlat:
        return faiss.downcast_index(self.index.storage)

    def _labels_of(self, ids: Collection[int]) -> np.ndarray:
        if self._lookup is None:
            live_labels = np.flatnonzero(self.live)
            self._lookup = IdPositions(self.label_ids[live_labels], live_labels)
        return self._lookup.positions_of(ids)

    def search(self, query: np.ndarray, k: int, allowed_ids: Collection[int] | None) -> list[tuple[int, float]]:
        if allowed_ids is None:
            k = min(k, len(self.id_labels))
            if k <= 0:
                return []
            if self._live_bitmap is None and self.dead_count:
                self._live_bitmap = np.packbits(self.live, bitorder="little")
            hits = self._graph_search(query, k, self._live_bitmap, self.ef_search)
            # Tombstones can crowd out the walk; exactness is the fallback, not fewer hits.
            return hits if len(hits) >= k else self._exact_search(query, k, np.flatnonzero(self.live))
        labels = self._labels_of(allowed_ids)
        k = min(k, len(labels))
        if k <= 0:
            return []
        if len(labels) <= EXACT_SCAN_LIMIT:
            return self._exact_search(query, k, labels)
        mask = np.zeros(len(self.label_ids), dtype=bool)
        mask[labels] = True
        # A filter that keeps a fraction f of the graph needs roughly 1/f times the search effort.
        ef = int(min(1024, max(self.ef_search, k) * len(self.id_labels) / len(labels)))
        hits = self._graph_search(query, k, np.packbits(mask, bitorder="little"), ef)
        return hits if len(hits) >= k else self._exact_search(query, k, labels)

    def _graph_search(self, query: np.ndarray, k: int, bitmap: np.ndarray | None, ef: int) -> list[tuple[int, float]]:
        # Raw pointers all the way down: `bitmap` and `selector` must stay referenced until the search returns.
        selector = faiss.IDSelectorBitmap(len(self.label_ids), faiss.swig_ptr(bitmap)) if bitmap is not None else None
        params = faiss.SearchParametersHNSW(efSearch=max(ef, k), sel=selector)
        distances, labels = self.index.search(query, k, params=params)
        return [(int(self.label_ids[label]), float(score)) for label, score in _hits(distances, labels)]

    def _exact_search(self, query: np.ndarray, k: int, labels: np.ndarray) -> list[tuple[int, float]]:
        return top_k(self.label_ids[labels], _inner_products(self._storage(), query, labels), k)

    def scores_of(self, query: np.ndarray, ids: Collection[int]) -> dict[int, float]:
        """Exact scores for the indexed subset of `ids`."""
        labels = self._labels_of(ids)
        scores = _inner_products(self._storage(), query, labels)
        return dict(zip(self.label_ids[labels].tolist(), scores.tolist()))

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """Every live (id, vector) pair, in label order."""
        storage = self._storage()
        vectors = faiss.rev_swig_ptr(storage.get_xb(), storage.ntotal * self.dimension)
        labels = np.flatnonzero(self.live)
        return self.label_ids[labels], np.asarray(vectors).reshape(storage.ntotal, self.dimension)[labels]
