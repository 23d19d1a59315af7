"""The extractive drafter on what hybrid search really returns for the Velo Verde knowledge base."""

import pytest

from app.drafters.base import DraftRequest, StyleSpec
from app.drafters.fitted import FittedExtractiveDrafter
from app.kb.retrieval import embed_query, retrieve, retrieve_sources
from tests.app.drafters.conftest import FILES, VELO_VERDE
from tests.app.drafters.velo_verde import ANSWERABLE, UNANSWERABLE


@pytest.fixture
def knowledge_base(client, tenant, run_jobs):
    for name in VELO_VERDE:
        response = client.post("/api/v2/ai/knowledge-base/upload", headers=tenant.headers,
                               files={"file": (name, (FILES / name).read_bytes())})
        assert response.status_code == 202, response.text
    run_jobs()
    return tenant


def answer(db, services, tenant, question, min_confidence=None):
    vector = embed_query(services, question)
    sources = retrieve_sources(db, services, tenant.account_id, question, vector)
    return FittedExtractiveDrafter(services.components["embedder"]).draft(
        DraftRequest(question, sources, StyleSpec.neutral(), question_vector=vector, min_confidence=min_confidence))


def test_answers_and_hands_off_over_retrieved_chunks(knowledge_base, db, services):
    for question, facts in ANSWERABLE:
        draft = answer(db, services, knowledge_base, question)
        assert draft.answered, (question, draft.confidence)
        assert all(fact in draft.text for fact in facts), (question, draft.text)
        assert draft.drafter == "extractive" and draft.sources
    for question in UNANSWERABLE:
        draft = answer(db, services, knowledge_base, question)
        assert draft.answered is False and draft.text == "" and draft.sources == [], question


def test_a_question_whose_key_word_no_document_uses_is_found_by_meaning(knowledge_base, db, services):
    # No document says "address", and the warranty paragraph says "your" twice: that partial keyword match must not
    # outrank the FAQ answer found by meaning.
    found = retrieve(db, services, knowledge_base.account_id, "What is your address?", top_k=5)
    assert "14 Canal Street" in found[0].text


def test_an_accounts_min_confidence_is_the_line_in_both_directions(knowledge_base, db, services):
    # Without one the fitted rule decides (answer when more likely right than not); with one, it alone does.
    sure = answer(db, services, knowledge_base, "How much is a basic tune-up?")
    assert sure.answered and "£45" in sure.text
    stricter = answer(db, services, knowledge_base, "How much is a basic tune-up?",
                      min_confidence=sure.confidence + 0.001)
    assert not stricter.answered and stricter.text == "" and "below" in stricter.notes[0]
    doubtful = answer(db, services, knowledge_base, "Do you repair cars?")
    assert not doubtful.answered and doubtful.confidence > 0
    bolder = answer(db, services, knowledge_base, "Do you repair cars?", min_confidence=doubtful.confidence)
    assert bolder.answered and bolder.text and bolder.confidence == doubtful.confidence
