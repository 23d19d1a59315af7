"""Ranking arithmetic shared by the indexes: top-k selection and the two ways of fusing rankings."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Query-adaptive fusion: hybrid score = w * cosine + (1 - w) * keyword coverage, where
# w = sigmoid(INTERCEPT + DENSE_COEF * best cosine + KEYWORD_COEF * best keyword coverage)
# estimates the chance that semantic search beats keyword search on this query.
# Fit by logistic regression on the 809 SciFact *train* queries (label: dense nDCG@10 > BM25 nDCG@10,
# ties dropped), MiniLM-L6-v2 + stemmed BM25; rerun `python bench/tune_fusion.py` to refit. No test data used.
FUSION_INTERCEPT = -0.68
FUSION_DENSE_COEF = 4.21
FUSION_KEYWORD_COEF = -5.42
# Each retriever's top-N forms the candidate pool, as in the RRF baseline.
CANDIDATES_PER_RETRIEVER = 100
RRF_K = 60


def top_k(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The `k` best (id, score) pairs, best first; ties broken by id so results are deterministic."""
    if k <= 0:
        return []
    if len(ids) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        ids, scores = ids[keep], scores[keep]
    order = np.lexsort((ids, -scores))
    return [(int(ids[i]), float(scores[i])) for i in order]


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """RRF (Cormack et al. 2009): sum over rankings of 1 / (k + rank), rank starting at 1."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (k + rank)
    return fused


@dataclass(frozen=True)
class FusionWeights:
    """Coefficients of the logistic model that turns retriever confidence into the semantic weight."""

    intercept: float = FUSION_INTERCEPT
    dense_coef: float = FUSION_DENSE_COEF
    keyword_coef: float = FUSION_KEYWORD_COEF

    def semantic_weight(self, best_cosine: float, best_coverage: float) -> float:
        """Weight of the cosine in the fused score, from the best cosine and best keyword coverage."""
        logit = self.intercept + self.dense_coef * best_cosine + self.keyword_coef * best_coverage
        return 1.0 / (1.0 + math.exp(-logit))


def adaptive_fusion(cosines: np.ndarray, coverages: np.ndarray,
                    weights: FusionWeights = FusionWeights()) -> tuple[np.ndarray, float]:
    """Fused scores for candidates given their cosines and keyword coverages (BM25 / query's max BM25).

    Both inputs stay on fixed scales instead of being min-max normalised per query, so a weak keyword
    match (low coverage) stays weak; the weight then leans toward whichever retriever looks surer.
    """
    if not len(cosines):
        return np.empty(0, dtype=np.float32), 0.0
    weight = weights.semantic_weight(float(cosines.max()), float(coverages.max()))
    return weight * cosines + (1.0 - weight) * coverages, weight
