"""The keyword index as it was before segments (main at 22ff43f), kept as the benchmarks' reference: bm25s
(Lucene BM25) rebuilt from cached token ids on the first search after any change."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s
import numpy as np
import Stemmer

from indexes.ranking import top_k


class RebuildingBM25Index:
    """Same tokens and scores as BM25KeywordIndex; an edit makes the next search re-index everything."""

    def __init__(self, k1: float = 1.5, b: float = 0.75, language: str = "english") -> None:
        self.k1, self.b, self.language = k1, b, language
        self._token_ids: dict[int, list[int]] = {}
        self._vocabulary: dict[str, int] = {}
        self._retriever: bm25s.BM25 | None = None
        self._row_ids = np.empty(0, dtype=np.int64)
        self._idf = np.empty(0, dtype=np.float64)
        self._row_of: dict[int, int] = {}
        self._stale = False

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return bm25s.tokenize(list(texts), stopwords="en", stemmer=Stemmer.Stemmer(self.language),
                              return_ids=False, show_progress=False) if texts else []

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        vocabulary = self._vocabulary
        for chunk_id, words in zip(ids, self._tokenize(texts)):
            self._token_ids[int(chunk_id)] = [vocabulary.setdefault(word, len(vocabulary)) for word in words]
        self._stale = True

    def remove(self, ids: Sequence[int]) -> int:
        removed = sum(self._token_ids.pop(int(chunk_id), None) is not None for chunk_id in set(ids))
        self._stale = self._stale or bool(removed)
        return removed

    def _ensure_built(self) -> None:
        if not self._stale:
            return
        self._row_ids = np.fromiter(self._token_ids, dtype=np.int64, count=len(self._token_ids))
        self._retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        self._retriever.index((list(self._token_ids.values()), dict(self._vocabulary)), create_empty_token=False,
                              show_progress=False)
        frequency = np.diff(self._retriever.scores["indptr"]).astype(np.float64)
        idf = np.log1p((len(self._row_ids) - frequency + 0.5) / (frequency + 0.5))
        self._idf = np.where(frequency > 0, idf, 0.0)
        self._row_of = {int(chunk_id): row for row, chunk_id in enumerate(self._row_ids)}
        self._stale = False

    def _scores(self, query: str) -> tuple[np.ndarray, float]:
        self._ensure_built()
        token_ids = [self._vocabulary[w] for w in self._tokenize([query])[0] if w in self._vocabulary]
        if not token_ids:
            return np.zeros(len(self._row_ids), dtype=np.float32), 0.0
        scores = np.asarray(self._retriever.get_scores_from_ids(token_ids), dtype=np.float32)
        return scores, float(self._idf[token_ids].sum())

    def max_score(self, query: str) -> float:
        return self._scores(query)[1]

    def search(self, query: str, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        scores = self._scores(query)[0]
        rows = np.flatnonzero(scores > 0)
        if allowed_ids is not None:
            rows = rows[np.isin(self._row_ids[rows], np.fromiter(allowed_ids, dtype=np.int64))]
        return top_k(self._row_ids[rows], scores[rows], k)

    def scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        scores = self._scores(query)[0]
        return {int(i): float(scores[self._row_of[int(i)]]) for i in ids if int(i) in self._row_of}
