"""HybridSearcher: semantic, keyword or fused search with a per-hit score breakdown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from indexes.base import KeywordIndex, SearchHit, VectorIndex
from indexes.ranking import (
    CANDIDATES_PER_RETRIEVER,
    RRF_K,
    FusionWeights,
    adaptive_fusion,
    reciprocal_rank_fusion,
)

SearchMode = Literal["hybrid", "semantic", "keyword"]
Fusion = Literal["adaptive", "rrf"]


@dataclass(frozen=True)
class Candidates:
    """The pooled top hits of both retrievers, each scored exactly by both.

    `semantic_ranking` and `keyword_ranking` are each retriever's own order (best first);
    `keyword_max_score` is the query's BM25 upper bound, used to turn BM25 into coverage.
    """

    ids: np.ndarray
    cosines: np.ndarray
    keyword_scores: np.ndarray
    keyword_max_score: float
    semantic_ranking: list[int]
    keyword_ranking: list[int]

    @property
    def coverages(self) -> np.ndarray:
        """BM25 scores as a share of the query's attainable maximum, in [0, 1)."""
        if self.keyword_max_score <= 0:
            return np.zeros_like(self.keyword_scores)
        return self.keyword_scores / self.keyword_max_score


class HybridSearcher:
    """Searches one vector index and one keyword index holding the same chunk ids, alone or fused."""

    def __init__(self, vector_index: VectorIndex, keyword_index: KeywordIndex, fusion: Fusion = "adaptive",
                 weights: FusionWeights = FusionWeights(), candidates: int = CANDIDATES_PER_RETRIEVER) -> None:
        self.vector_index = vector_index
        self.keyword_index = keyword_index
        self.fusion = fusion
        self.weights = weights
        self.candidates_per_retriever = candidates

    def search(self, query_vector: np.ndarray | None, query_text: str | None, k: int,
               mode: SearchMode = "hybrid", allowed_ids: set[int] | None = None) -> list[SearchHit]:
        """The `k` best chunks for the query in `mode`, each with its fused, semantic and keyword scores."""
        if k <= 0:
            return []
        if mode == "semantic":
            if query_vector is None:
                raise ValueError("semantic search needs a query vector")
            return [SearchHit(chunk_id, score, score, None)
                    for chunk_id, score in self.vector_index.search(query_vector, k, allowed_ids)]
        if mode == "keyword":
            if query_text is None:
                raise ValueError("keyword search needs a query text")
            return [SearchHit(chunk_id, score, None, score)
                    for chunk_id, score in self.keyword_index.search(query_text, k, allowed_ids)]
        if mode != "hybrid":
            raise ValueError(f"unknown search mode {mode!r}; use hybrid, semantic or keyword")
        if query_vector is None or query_text is None:
            raise ValueError("hybrid search needs both a query vector and a query text")
        pool = self.candidates(query_vector, query_text, allowed_ids)
        if self.fusion == "rrf":
            return self._rrf_hits(pool, k)
        fused, _ = adaptive_fusion(pool.cosines, pool.coverages, self.weights)
        order = np.lexsort((pool.ids, -fused))[:k]
        return [SearchHit(int(pool.ids[i]), float(fused[i]), float(pool.cosines[i]), float(pool.keyword_scores[i]))
                for i in order]

    def candidates(self, query_vector: np.ndarray, query_text: str,
                   allowed_ids: set[int] | None = None) -> Candidates:
        """Pool each retriever's top hits and fill in the score the other retriever gives them."""
        depth = self.candidates_per_retriever
        semantic = self.vector_index.search(query_vector, depth, allowed_ids)
        keyword = self.keyword_index.search(query_text, depth, allowed_ids)
        cosine_of = dict(semantic)
        keyword_of = dict(keyword)
        missing_cosines = [chunk_id for chunk_id in keyword_of if chunk_id not in cosine_of]
        missing_keywords = [chunk_id for chunk_id in cosine_of if chunk_id not in keyword_of]
        if missing_cosines:
            cosine_of.update(self.vector_index.scores(query_vector, missing_cosines))
        if missing_keywords:
            keyword_of.update(self.keyword_index.scores(query_text, missing_keywords))
        ids = np.fromiter(dict.fromkeys([*cosine_of, *keyword_of]), dtype=np.int64)
        # A chunk missing from one index (it should not happen) simply gets no credit from that retriever.
        return Candidates(
            ids=ids,
            cosines=np.array([cosine_of.get(int(i), 0.0) for i in ids], dtype=np.float64),
            keyword_scores=np.array([keyword_of.get(int(i), 0.0) for i in ids], dtype=np.float64),
            keyword_max_score=self.keyword_index.max_score(query_text),
            semantic_ranking=[chunk_id for chunk_id, _ in semantic],
            keyword_ranking=[chunk_id for chunk_id, _ in keyword],
        )

    def _rrf_hits(self, pool: Candidates, k: int) -> list[SearchHit]:
        fused = reciprocal_rank_fusion([pool.semantic_ranking, pool.keyword_ranking], RRF_K)
        cosine_of = dict(zip(pool.ids.tolist(), pool.cosines.tolist()))
        keyword_of = dict(zip(pool.ids.tolist(), pool.keyword_scores.tolist()))
        ranked = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [SearchHit(chunk_id, score, cosine_of[chunk_id], keyword_of[chunk_id]) for chunk_id, score in ranked]
