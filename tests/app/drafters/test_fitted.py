"""The extractive drafter on the Velo Verde knowledge base, as retrieval hands it over: sentences and their vectors
stored at ingestion, only the question embedded."""

import pytest
from sqlmodel import select

from app.drafters.base import DraftRequest, StyleSpec
from app.drafters.fitted import FittedExtractiveDrafter
from app.kb.models import Chunk
from app.kb.retrieval import embed_query, retrieve_sources
from ingest.sentences import split_units
from tests.app.drafters.velo_verde import ANSWERABLE, UNANSWERABLE
from tests.app.drafters.test_with_retrieval import knowledge_base  # noqa: F401 - the same fixture


class CountingEmbedder:
    def __init__(self, inner):
        self.inner, self.texts = inner, []

    def embed(self, texts):
        self.texts.extend(texts)
        return self.inner.embed(texts)


def test_quotes_the_documents_and_embeds_only_the_question(knowledge_base, db, services):
    embedder = CountingEmbedder(services.components["embedder"])
    drafter = FittedExtractiveDrafter(embedder)
    everything = "\n".join(db.exec(select(Chunk.text)))
    outcomes = {}
    for question, facts in ANSWERABLE:
        vector = embed_query(services, question)
        sources = retrieve_sources(db, services, knowledge_base.account_id, question, vector)
        draft = drafter.draft(DraftRequest(question, sources, StyleSpec.neutral(), question_vector=vector))
        assert 0 <= draft.confidence <= 1
        if draft.answered:
            # Every sentence is quoted, though a reply may leave out a sentence between two it quotes.
            assert all(unit.text.rstrip(".") in everything for unit in split_units(draft.text)), draft.text
            outcomes[question] = "right" if all(fact in draft.text for fact in facts) else "wrong"
    assert embedder.texts == [], "sentence vectors come from ingestion; nothing is embedded at reply time"
    assert list(outcomes.values()).count("wrong") <= 1, outcomes
    handed_off = 0
    for question in UNANSWERABLE:
        vector = embed_query(services, question)
        sources = retrieve_sources(db, services, knowledge_base.account_id, question, vector)
        handed_off += not drafter.draft(DraftRequest(question, sources, StyleSpec.neutral(),
                                                     question_vector=vector)).answered
    assert handed_off >= len(UNANSWERABLE) - 1


FAQ = [("How do I cancel my subscription?", "Open Settings, choose Billing and press End plan. Your data stays 30 days."),
       ("How do I change my password?", "Open Settings, choose Security and press Reset. We email you a link."),
       ("Can I export my data?", "Open Settings, choose Privacy and press Download. You get a ZIP file.")]


def test_an_faq_answer_is_found_by_its_question_when_the_answer_shares_no_words(client, tenant,
                                                                                  run_jobs, services):
    for title, text in FAQ:  # each entry's question is its title, as a help centre export has it
        response = client.post("/api/v2/ai/knowledge-base/text", json={"title": title, "text": text},
                               headers=tenant.headers)
        assert response.status_code in (200, 201, 202), response.text
    run_jobs()

    def ask(message):
        response = client.post("/api/v2/ai/preview", json={"message": message}, headers=tenant.headers)
        assert response.status_code == 200, response.text
        return response.json()

    stop = ask("I want to stop paying for my plan")
    assert not stop["handoff"] and "Billing" in stop["reply"], stop
    forgot = ask("I forgot my password, what now?")
    assert not forgot["handoff"] and "Security" in forgot["reply"], forgot
    assert ask("Do you have a mobile app?")["handoff"]


def test_a_short_question_is_read_in_the_documents_language_when_its_own_is_unclear():
    from app.drafters.base import Source
    from app.drafters.fitted import question_language
    from ingest.language import detect_language

    spanish = Source(1, "d", "Normas", "El hotel es un espacio sin humo, también en los balcones. Entre las 23:00 y "
                     "las 8:00 rogamos silencio en patios y pasillos.", None, None, 0.5)
    assert detect_language("¿Tienen spa o sauna?") is None  # alone, lingua cannot tell
    assert question_language("¿Tienen spa o sauna?", [spanish]) == "es"
    assert question_language("Can I use the sauna in the evening?", [spanish]) == "en"


def test_only_a_question_on_a_line_of_its_own_labels_the_answers_after_it(services):
    from app.drafters.base import Source

    text = ("Q: Where is the shop?\nWe are at 14 Canal Street, next to the station.\n"
            "Why do chains squeak? Usually the chain is dry. Oil it once a month.")
    drafter = FittedExtractiveDrafter(services.components["embedder"])
    labels = {c.text: c.heading for c in drafter._candidates([Source(1, "d", "FAQ", text, None, None, 0.5)])}
    assert labels["We are at 14 Canal Street, next to the station."] == "Q: Where is the shop?"
    # A question inside a paragraph is never quoted, and does not say what the sentences after it answer.
    assert "Why do chains squeak?" not in labels
    assert "squeak" not in labels["Usually the chain is dry."]


@pytest.mark.parametrize(("question", "fact"), [("What is your address?", "14 Canal Street"),
                                                ("What are your hours", "09:00 to 18:00")])
def test_a_word_naming_the_answer_is_covered_by_a_value_of_that_kind(knowledge_base, db, services,
                                                                      question, fact):
    # No document says "address", and the day lines say no "hours": the street and the clock times answer them.
    vector = embed_query(services, question)
    sources = retrieve_sources(db, services, knowledge_base.account_id, question, vector)
    draft = FittedExtractiveDrafter(services.components["embedder"]).draft(
        DraftRequest(question, sources, StyleSpec.neutral(), question_vector=vector))
    assert draft.answered and fact in draft.text, (draft.confidence, draft.text)
