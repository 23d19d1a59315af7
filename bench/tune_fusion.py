"""Refit the hybrid fusion constants in indexes/ranking.py on SciFact *train* queries only.

For each train query, label whether semantic search (nDCG@10) beats keyword search, then fit a logistic
regression of that label on the two confidence signals the fused search sees at query time: the best
cosine and the best keyword coverage (BM25 / the query's maximum). Prints the constants to paste.

    python bench/tune_fusion.py [--data-dir ../shared/bench]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from common import DEFAULT_DATA_DIR, index_dataset, load_beir, ndcg_at_k

from indexes.hybrid import HybridSearcher
from indexes.ranking import FusionWeights, adaptive_fusion


def fit_logistic(features: np.ndarray, labels: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Maximum-likelihood logistic regression by Newton's method; returns [intercept, coefficients...]."""
    design = np.hstack([np.ones((len(features), 1)), features])
    theta = np.zeros(design.shape[1])
    for _ in range(iterations):
        probability = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (labels - probability)
        hessian = design.T @ (design * (probability * (1 - probability))[:, None])
        step = np.linalg.solve(hessian, gradient)
        theta += step
        if np.abs(step).max() < 1e-10:
            break
    return theta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()

    from ingest.embedders import SentenceTransformerEmbedder

    indexed = index_dataset(load_beir(args.data_dir / "scifact"), SentenceTransformerEmbedder())
    searcher = HybridSearcher(indexed.vector_index, indexed.keyword_index)
    qrels = indexed.dataset.qrels["train"]
    pools = {}
    features, labels = [], []
    for query_id, relevant in qrels.items():
        pool = searcher.candidates(indexed.query_vectors[query_id], indexed.dataset.queries[query_id])
        pools[query_id] = pool
        semantic = ndcg_at_k([indexed.doc_ids[i] for i in pool.semantic_ranking], relevant)
        keyword = ndcg_at_k([indexed.doc_ids[i] for i in pool.keyword_ranking], relevant)
        if semantic != keyword:  # ties say nothing about which retriever to trust
            features.append([pool.cosines.max(), pool.coverages.max()])
            labels.append(float(semantic > keyword))
    theta = fit_logistic(np.array(features), np.array(labels))
    print(f"fit on {len(labels)} of {len(qrels)} SciFact train queries (the rest tie)")
    print(f"FUSION_INTERCEPT = {theta[0]:.2f}\nFUSION_DENSE_COEF = {theta[1]:.2f}\nFUSION_KEYWORD_COEF = {theta[2]:.2f}")

    weights = FusionWeights(*(round(float(value), 2) for value in theta))
    scores = []
    for query_id, relevant in qrels.items():
        pool = pools[query_id]
        fused, _ = adaptive_fusion(pool.cosines, pool.coverages, weights)
        ranked = pool.ids[np.lexsort((pool.ids, -fused))][:10]
        scores.append(ndcg_at_k([indexed.doc_ids[i] for i in ranked], relevant))
    print(f"train nDCG@10 with these constants: {np.mean(scores):.4f}")


if __name__ == "__main__":
    main()
