"""Segmented BM25 postings that take edits: frozen segments plus a write buffer, tombstones for deletions.

A new document goes into the write buffer (a few list appends); a removed one is tombstoned. The collection
statistics Lucene BM25 needs (document frequencies, live count, total length) are updated on every edit and
scores are computed from raw term counts at query time, so a score never drifts from that of a from-scratch
build of the same documents. Merging everything into one segment (dropping tombstones) is the only
whole-index step, and BM25KeywordIndex runs it off the search path.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class DocTerms(NamedTuple):
    """Documents in CSR form: document i holds the distinct terms `terms[indptr[i]:indptr[i + 1]]`, counted `tfs`."""

    indptr: np.ndarray  # int64, one more than there are documents
    terms: np.ndarray  # int32 term ids
    tfs: np.ndarray  # float32 counts
    lengths: np.ndarray  # int64 tokens per document, repeats included

    def __len__(self) -> int:
        return len(self.lengths)

    @classmethod
    def concatenate(cls, parts: Sequence[DocTerms]) -> DocTerms:
        counts = np.concatenate([np.diff(part.indptr) for part in parts])
        return cls(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
                   np.concatenate([part.terms for part in parts]), np.concatenate([part.tfs for part in parts]),
                   np.concatenate([part.lengths for part in parts]))

    def select(self, keep: np.ndarray) -> DocTerms:
        """Only the documents where the boolean mask `keep` is set."""
        counts = np.diff(self.indptr)
        entries = np.repeat(keep, counts)
        return DocTerms(np.concatenate([[0], np.cumsum(counts[keep])]).astype(np.int64), self.terms[entries],
                        self.tfs[entries], self.lengths[keep])


def doc_terms(token_ids: Sequence[Sequence[int]]) -> DocTerms:
    """Count each document's term ids, vectorised over the whole batch."""
    lengths = np.fromiter(map(len, token_ids), dtype=np.int64, count=len(token_ids))
    flat = np.fromiter(itertools.chain.from_iterable(token_ids), dtype=np.int64, count=int(lengths.sum()))
    width = int(flat.max()) + 1 if len(flat) else 1
    # One key per (document, term): sorting them groups each document's terms, in document order.
    keys, counts = np.unique(np.repeat(np.arange(len(lengths)), lengths) * width + flat, return_counts=True)
    per_doc = np.bincount(keys // width, minlength=len(lengths))
    return DocTerms(np.concatenate([[0], np.cumsum(per_doc)]).astype(np.int64), (keys % width).astype(np.int32),
                    counts.astype(np.float32), lengths)


@dataclass(frozen=True)
class Segment:
    """Immutable postings of some documents; rows are local (0 = the segment's first document)."""

    docs: DocTerms
    terms: np.ndarray  # sorted distinct term ids
    indptr: np.ndarray  # postings of terms[i] are rows/tfs[indptr[i]:indptr[i + 1]]
    rows: np.ndarray
    tfs: np.ndarray

    @classmethod
    def build(cls, docs: DocTerms) -> Segment:
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), np.diff(docs.indptr))
        order = np.argsort(docs.terms, kind="stable")
        terms, first = np.unique(docs.terms[order], return_index=True)
        return cls(docs, terms, np.append(first, len(order)), rows[order], docs.tfs[order])

    def __len__(self) -> int:
        return len(self.docs)

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray] | None:
        slot = int(np.searchsorted(self.terms, term))
        if slot == len(self.terms) or self.terms[slot] != term:
            return None
        start, end = self.indptr[slot], self.indptr[slot + 1]
        return self.rows[start:end], self.tfs[start:end]

    def terms_of(self, row: int) -> np.ndarray:
        return self.docs.terms[self.docs.indptr[row]:self.docs.indptr[row + 1]]


class WriteBuffer:
    """The newest documents, appended one by one; frozen into a Segment once it grows."""

    def __init__(self) -> None:
        self.docs: list[tuple[np.ndarray, np.ndarray, int]] = []
        self.postings: dict[int, tuple[list[int], list[float]]] = {}

    def __len__(self) -> int:
        return len(self.docs)

    def append(self, docs: DocTerms) -> None:
        for i in range(len(docs)):
            row = len(self.docs)
            terms = docs.terms[docs.indptr[i]:docs.indptr[i + 1]]
            tfs = docs.tfs[docs.indptr[i]:docs.indptr[i + 1]]
            self.docs.append((terms, tfs, int(docs.lengths[i])))
            for term, tf in zip(terms.tolist(), tfs.tolist()):
                rows, counts = self.postings.setdefault(term, ([], []))
                rows.append(row)
                counts.append(tf)

    def postings_of(self, term: int) -> tuple[np.ndarray, np.ndarray] | None:
        found = self.postings.get(term)
        if found is None:
            return None
        return np.array(found[0], dtype=np.int64), np.array(found[1], dtype=np.float32)

    def terms_of(self, row: int) -> np.ndarray:
        return self.docs[row][0]

    def as_doc_terms(self) -> DocTerms:
        counts = [len(terms) for terms, _, _ in self.docs]
        return DocTerms(np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
                        np.concatenate([terms for terms, _, _ in self.docs]).astype(np.int32),
                        np.concatenate([tfs for _, tfs, _ in self.docs]).astype(np.float32),
                        np.array([length for _, _, length in self.docs], dtype=np.int64))


class Snapshot(NamedTuple):
    """What a merge needs, taken under the index's lock and read outside it."""

    segments: list[Segment]
    row_ids: np.ndarray
    alive: np.ndarray
    vocabulary_size: int


class SegmentedBM25:
    """Lucene BM25 over segments with tombstones; not thread-safe (BM25KeywordIndex locks around it).

    Rows are global positions: segment i covers rows starts[i] .. starts[i] + len(segment i), the write
    buffer the rows after the last segment. A row is never reused; re-adding an id tombstones its old row.
    """

    def __init__(self, k1: float, b: float, freeze_at: int) -> None:
        self.k1, self.b, self.freeze_at = k1, b, freeze_at
        self.rows = 0
        self.row_ids = np.empty(0, dtype=np.int64)
        self.lengths = np.empty(0, dtype=np.int64)
        self.alive = np.empty(0, dtype=bool)
        self.row_of: dict[int, int] = {}
        self.segments: list[Segment] = []
        self.starts: list[int] = []
        self.buffer = WriteBuffer()
        self.buffer_start = 0
        self.df = np.zeros(0, dtype=np.int64)
        self.live = 0
        self.total_length = 0
        self.dead = 0  # tombstoned rows still held by segments or the buffer

    def _grow(self, rows: int, vocabulary: int) -> None:
        if rows > len(self.row_ids):
            capacity = max(rows, 2 * len(self.row_ids), 64)
            self.row_ids = np.resize(self.row_ids, capacity)
            self.lengths = np.resize(self.lengths, capacity)
            self.alive = np.resize(self.alive, capacity)
        if vocabulary > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(max(vocabulary - len(self.df), len(self.df)), np.int64)])

    def add(self, ids: np.ndarray, docs: DocTerms, segment: Segment | None = None) -> None:
        """Append documents under distinct `ids` (replacing any indexed under them); pass `segment` if prebuilt."""
        self.remove(ids.tolist())
        start, count = self.rows, len(ids)
        self._grow(start + count, int(docs.terms.max(initial=-1)) + 1)
        self.row_ids[start:start + count] = ids
        self.lengths[start:start + count] = docs.lengths
        self.alive[start:start + count] = True
        self.row_of.update(zip(ids.tolist(), range(start, start + count)))
        self.df[:len(self.df)] += np.bincount(docs.terms, minlength=len(self.df))
        self.live += count
        self.total_length += int(docs.lengths.sum())
        if segment is not None or count >= self.freeze_at:
            # A big batch becomes its own segment; the buffer is frozen first so rows stay in order.
            self.freeze()
            self.segments.append(segment or Segment.build(docs))
            self.starts.append(start)
            self.rows += count
            self.buffer_start = self.rows
        else:
            self.buffer.append(docs)
            self.rows += count
            if len(self.buffer) >= self.freeze_at:
                self.freeze()

    def freeze(self) -> None:
        """Turn the write buffer into a segment (cheap: only the buffer's documents are sorted)."""
        if len(self.buffer):
            self.segments.append(Segment.build(self.buffer.as_doc_terms()))
            self.starts.append(self.buffer_start)
        self.buffer = WriteBuffer()
        self.buffer_start = self.rows

    def _terms_of(self, row: int) -> np.ndarray:
        if row >= self.buffer_start:
            return self.buffer.terms_of(row - self.buffer_start)
        i = bisect.bisect_right(self.starts, row) - 1
        return self.segments[i].terms_of(row - self.starts[i])

    def remove(self, ids: Sequence[int]) -> int:
        """Tombstone `ids` and take them out of the statistics; returns how many were present."""
        removed = 0
        for chunk_id in ids:
            row = self.row_of.pop(int(chunk_id), None)
            if row is None:
                continue
            self.alive[row] = False
            self.df[self._terms_of(row)] -= 1
            self.live -= 1
            self.total_length -= int(self.lengths[row])
            self.dead += 1
            removed += 1
        return removed

    def scores(self, token_ids: Sequence[int], unseen: int = 0) -> tuple[np.ndarray, float]:
        """BM25 score of every row (0 for tombstones) and the sum of the query terms' idf.

        A term repeated in the query counts as often as it appears, as in bm25s. The `unseen` query terms (not in
        the vocabulary) and known terms that no live row has add the idf of a term in no row to that sum: they are
        the query's rarest words, so a row matching only its common words is far from the bound.
        """
        out = np.zeros(self.rows, dtype=np.float64)
        terms = np.asarray(token_ids, dtype=np.int64)
        unseen += int((terms >= len(self.df)).sum())
        terms = terms[terms < len(self.df)]
        if not self.live:
            return out, 0.0
        terms, repeats = np.unique(terms, return_counts=True)
        df = self.df[terms]
        unseen += int(repeats[df == 0].sum())
        terms, repeats, df = terms[df > 0], repeats[df > 0], df[df > 0]
        idf = np.log1p((self.live - df + 0.5) / (df + 0.5))
        bound = float((idf * repeats).sum()) + unseen * float(np.log1p((self.live + 0.5) / 0.5))
        if not len(terms) or not self.total_length:
            return out, bound
        # Lucene: idf * tf / (tf + k1 * (1 - b + b * length / average length)).
        base = self.k1 * (1 - self.b)
        per_length = self.k1 * self.b * self.live / self.total_length
        weights = idf * repeats
        sources = [(start, segment.postings) for start, segment in zip(self.starts, self.segments)]
        sources.append((self.buffer_start, self.buffer.postings_of))
        for start, postings in sources:
            for term, weight in zip(terms.tolist(), weights.tolist()):
                found = postings(term)
                if found is None:
                    continue
                rows = found[0] + start
                tfs = found[1].astype(np.float64)
                # Rows are distinct within one term's postings, so fancy-index addition is exact.
                out[rows] += weight * tfs / (tfs + base + per_length * self.lengths[rows])
        if self.dead:
            out[~self.alive[:self.rows]] = 0.0
        return out, bound

    def snapshot(self, vocabulary_size: int) -> Snapshot:
        """Freeze the buffer and copy what a merge reads (the arrays edits change in place)."""
        self.freeze()
        return Snapshot(list(self.segments), self.row_ids[:self.rows].copy(), self.alive[:self.rows].copy(),
                        vocabulary_size)

    def needs_merge(self, max_segments: int, max_dead_fraction: float) -> bool:
        """True when queries visit too many segments or tombstones take too much room."""
        too_dead = self.dead > max(max_dead_fraction * self.rows, self.freeze_at)
        return len(self.segments) > max_segments or too_dead


def merge(snapshot: Snapshot, k1: float, b: float, freeze_at: int) -> SegmentedBM25:
    """One segment holding the snapshot's live documents (the whole-index step; run it off the search path)."""
    parts, ids = [], []
    start = 0
    for segment in snapshot.segments:
        keep = snapshot.alive[start:start + len(segment)]
        parts.append(segment.docs.select(keep))
        ids.append(snapshot.row_ids[start:start + len(segment)][keep])
        start += len(segment)
    state = SegmentedBM25(k1, b, freeze_at)
    state._grow(0, snapshot.vocabulary_size)
    if parts:
        docs = DocTerms.concatenate(parts)
        if len(docs):
            state.add(np.concatenate(ids), docs, Segment.build(docs))
    return state
