"""The extractive drafter on what hybrid search really returns for the Velo Verde knowledge base."""

import pytest

from app.drafters.base import DraftRequest, Source, StyleSpec
from app.drafters.extractive import ExtractiveDrafter
from app.kb.retrieval import retrieve
from tests.app.drafters.conftest import FILES, VELO_VERDE
from tests.app.drafters.test_extractive import ANSWERABLE, UNANSWERABLE


@pytest.fixture
def knowledge_base(client, tenant, run_jobs):
    for name in VELO_VERDE:
        response = client.post("/api/v2/ai/knowledge-base/upload", headers=tenant.headers,
                               files={"file": (name, (FILES / name).read_bytes())})
        assert response.status_code == 202, response.text
    run_jobs()
    return tenant


def answer(db, services, tenant, question):
    found = retrieve(db, services, tenant.account_id, question, top_k=5)
    sources = [Source(c.chunk_id, c.document_id, c.document_title, c.text, c.page, c.section, c.score)
               for c in found]
    return ExtractiveDrafter().draft(DraftRequest(question, sources, StyleSpec.neutral()))


def test_answers_and_hands_off_over_retrieved_chunks(knowledge_base, db, services):
    for question, facts in ANSWERABLE:
        draft = answer(db, services, knowledge_base, question)
        assert draft.answered, question
        assert all(fact in draft.text for fact in facts), (question, draft.text)
        assert draft.confidence >= 0.35, question
    for question in UNANSWERABLE:
        assert answer(db, services, knowledge_base, question).answered is False, question


def test_a_question_whose_key_word_no_document_uses_is_found_by_meaning(knowledge_base, db, services):
    # No document says "address", and the warranty paragraph says "your" twice: that partial keyword match must not
    # outrank the FAQ answer found by meaning.
    found = retrieve(db, services, knowledge_base.account_id, "What is your address?", top_k=5)
    assert "14 Canal Street" in found[0].text
