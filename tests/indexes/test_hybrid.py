import math

import numpy as np
import pytest

from indexes.faiss_index import FaissVectorIndex
from indexes.hybrid import HybridSearcher
from indexes.keyword import BM25KeywordIndex
from indexes.ranking import FusionWeights, adaptive_fusion, reciprocal_rank_fusion
from ingest.embedders import HashEmbedder

TEXTS = [
    "To reset your password open Settings and choose Forgot password",
    "Our shop is open from nine to five on weekdays",
    "Error code ERR-4411 means the card was declined by the bank",
    "Shipping to Portugal takes three working days",
    "You can pay by card, bank transfer or cash on delivery",
    "Returns are free within thirty days of delivery",
]


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder(dimension=64)


@pytest.fixture
def searcher(embedder) -> HybridSearcher:
    vector_index = FaissVectorIndex(embedder.dimension)
    keyword_index = BM25KeywordIndex()
    ids = [10 * (row + 1) for row in range(len(TEXTS))]
    vector_index.add(ids, embedder.embed(TEXTS))
    keyword_index.add(ids, TEXTS)
    return HybridSearcher(vector_index, keyword_index)


def run(searcher, embedder, query, mode="hybrid", k=3, **options):
    return searcher.search(embedder.embed([query])[0], query, k, mode=mode, **options)


def test_hybrid_hits_carry_both_scores(searcher, embedder):
    hits = run(searcher, embedder, "how do I reset my password")
    assert hits[0].chunk_id == 10
    assert all(hit.semantic_score is not None and hit.keyword_score is not None for hit in hits)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_single_modes_fill_only_their_own_score(searcher, embedder):
    semantic = run(searcher, embedder, "reset password", mode="semantic")
    keyword = run(searcher, embedder, "reset password", mode="keyword")
    assert all(hit.keyword_score is None and hit.score == hit.semantic_score for hit in semantic)
    assert all(hit.semantic_score is None and hit.score == hit.keyword_score for hit in keyword)
    assert keyword[0].chunk_id == semantic[0].chunk_id == 10


def test_fused_score_is_the_documented_blend(searcher, embedder):
    query = "card declined by the bank"
    pool = searcher.candidates(embedder.embed([query])[0], query)
    fused, weight = adaptive_fusion(pool.cosines, pool.coverages)
    hits = run(searcher, embedder, query, k=10)
    top = hits[0]
    coverage = top.keyword_score / pool.keyword_max_score
    assert top.score == pytest.approx(weight * top.semantic_score + (1 - weight) * coverage)
    assert 0 < weight < 1
    assert top.chunk_id == 30


def test_hybrid_respects_allowed_ids(searcher, embedder):
    hits = run(searcher, embedder, "delivery", k=10, allowed_ids={40, 60})
    assert {hit.chunk_id for hit in hits} <= {40, 60}
    assert run(searcher, embedder, "delivery", allowed_ids=set()) == []


def test_rrf_baseline_fusion(searcher, embedder):
    searcher.fusion = "rrf"
    hits = run(searcher, embedder, "reset my password")
    assert hits[0].chunk_id == 10
    assert hits[0].score == pytest.approx(2 / 61)


def test_missing_query_parts_are_rejected(searcher):
    with pytest.raises(ValueError):
        searcher.search(None, "text", 3, mode="semantic")
    with pytest.raises(ValueError):
        searcher.search(np.zeros(64, np.float32), None, 3, mode="hybrid")
    with pytest.raises(ValueError):
        searcher.search(np.zeros(64, np.float32), "text", 3, mode="fuzzy")


def test_reciprocal_rank_fusion_sums_reciprocal_ranks():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)


def test_semantic_weight_leans_toward_the_surer_retriever():
    weights = FusionWeights()
    assert weights.semantic_weight(0.8, 0.1) > 0.5 > weights.semantic_weight(0.4, 0.6)
    fused, weight = adaptive_fusion(np.array([0.9, 0.2]), np.array([0.0, 0.5]))
    assert weight == pytest.approx(weights.semantic_weight(0.9, 0.5))
    assert math.isclose(fused[0], weight * 0.9)


def test_real_model_finds_a_paraphrase():
    """One end-to-end check with the bundled MiniLM (offline): meaning beats shared words."""
    from ingest.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    vector_index = FaissVectorIndex(embedder.dimension)
    keyword_index = BM25KeywordIndex()
    ids = list(range(len(TEXTS)))
    vector_index.add(ids, embedder.embed(TEXTS))
    keyword_index.add(ids, TEXTS)
    searcher = HybridSearcher(vector_index, keyword_index)
    query = "I forgot my login credentials, how can I get back into my account?"
    assert searcher.search(embedder.embed([query])[0], query, 1)[0].chunk_id == 0
