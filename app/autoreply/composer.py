"""Turns a customer's question into a decision: an answer with its sources, or a handoff. Sends nothing."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from app.autoreply.guardrails import apply_guardrails
from app.autoreply.manners import (DEFAULT_HANDOFF_PHRASES, asks_for_person, small_talk, small_talk_reply,
                                   without_small_talk)
from app.autoreply.memory import standalone_question
from app.db import unit_of_work
from app.drafters.base import DraftRequest, Source, StyleSpec, Turn
from app.drafters.dressing import dress, greeting_line
from app.drafters.registry import build_drafter
from app.drafters.templates import render_template, system_prompt_snippets
from app.kb.repository import ChunkRepository
from app.kb.retrieval import embed_query, retrieve_sources
from app.state import Services
from ingest.language import detect_language

MAX_WHATSAPP_CHARS = 4096
SOURCES_PER_QUESTION = 5
DOCUMENT_LANGUAGE_SAMPLE = 5  # documents; each one's first chunk is plenty for lingua


@dataclass
class Decision:
    handoff: bool
    text: str
    sources: list[Source] = field(default_factory=list)
    confidence: float = 0.0
    drafter: str | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    query: str = ""

    def sources_json(self) -> list[dict]:
        return [{"chunk_id": s.chunk_id, "document_id": s.document_id, "document_title": s.document_title,
                 "page": s.page, "section": s.section, "score": round(s.score, 4)} for s in self.sources]


def asks_for_human(question: str, keywords: list[str]) -> bool:
    """The built-in phrases for asking for a person, plus the session's own, as whole phrases."""
    return asks_for_person(question, [*DEFAULT_HANDOFF_PHRASES, *keywords])


def documents_language(services: Services, account_id: str) -> str | None:
    """The language most of the account's latest documents are written in (lingua on each one's first chunk)."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        texts = ChunkRepository(session, account_id).opening_texts(DOCUMENT_LANGUAGE_SAMPLE)
    languages = Counter(language for text in texts if (language := detect_language(text)))
    return languages.most_common(1)[0][0] if languages else None


def answer_small_talk(question: str, style: StyleSpec, history: list[Turn], customer_name: str | None,
                      business_language: Callable[[], str | None] = lambda: None) -> Decision | None:
    """A short reply to a greeting or thanks, an empty one (send nothing) to "ok" or "👍"; None for a question."""
    talk = small_talk(question)
    if talk is None:
        return None
    styled = bool(greeting_line(style, customer_name, history))
    body = small_talk_reply(talk, question, wanted_language=style.language, styled_greeting=styled,
                            business_language=business_language)
    text = dress(body, style, customer_name=customer_name, history=history) if body else ""
    if talk.kind != "greeting" and body:  # no "Hi Anna!" in front of "You're welcome!"
        text = dress(body, StyleSpec(**{**style.__dict__, "greeting": ""}), customer_name=customer_name,
                     history=history)
    return Decision(handoff=False, text=text, confidence=1.0, drafter="manners", reason=f"small talk ({talk.kind})",
                    query=question)


def handoff_text(fallback_message: str, style: StyleSpec, customer_name: str | None, *, unknown: bool,
                 question: str = "", business_language: Callable[[], str | None] = lambda: None) -> str:
    """The custom fallback message, else "I don't know" (when the documents did not) plus the handoff line, in the
    profile's language or, when it says "auto", the customer's; the documents' when a short message does not tell
    ("¿Tienen spa o sauna?")."""
    if fallback_message.strip():
        return fallback_message.strip()
    if style.language == "auto" and (language := detect_language(question) or business_language()):
        style = replace(style, language=language)
    handoff = render_template("handoff.j2", style=style, customer_name=customer_name).strip()
    return f"{render_template('fallback.j2', style=style).strip()} {handoff}" if unknown else handoff


def compose(services: Services, account_id: str, *, question: str, history: list[Turn],
            style: StyleSpec, drafter_name: str, tags: list[str], min_confidence: float | None,
            handoff_keywords: list[str], fallback_message: str, customer_name: str | None = None) -> Decision:
    """Retrieve, draft and check a reply; a structured handoff when the documents do not know.

    Only the retrieval reads the database, in a short read of its own: no transaction is open while the embedder
    or the drafter (possibly a remote model) works."""

    def hand_off(reason: str, *, unknown: bool = True, **details) -> Decision:
        text = handoff_text(fallback_message, style, customer_name, unknown=unknown, question=question,
                            business_language=lambda: documents_language(services, account_id))
        return Decision(handoff=True, text=text, reason=reason, **details)

    if asks_for_human(question, handoff_keywords):
        return hand_off("the customer asked for a person", unknown=False)
    polite = answer_small_talk(question, style, history, customer_name,
                               business_language=lambda: documents_language(services, account_id))
    if polite is not None:
        return polite
    query = standalone_question(without_small_talk(question), history)
    query_vector = embed_query(services, query)
    with unit_of_work(services.session_factory, read_only=True) as session:
        sources = retrieve_sources(session, services, account_id, query, query_vector,
                                   top_k=SOURCES_PER_QUESTION, tags=tags or None)
    if not sources:
        return hand_off("nothing in the knowledge base matches", query=query)
    drafter = build_drafter(services, drafter_name)
    draft = drafter.draft(DraftRequest(question=query, sources=sources, style=style, history=history,
                                       customer_name=customer_name, question_vector=query_vector,
                                       min_confidence=min_confidence))
    details = {"sources": draft.sources, "confidence": draft.confidence, "drafter": draft.drafter,
               "notes": list(draft.notes), "query": query}
    if not draft.answered:  # the drafter's last note says why: nothing to quote, or below the line
        why = f" ({draft.notes[-1]})" if draft.notes else ""
        return hand_off(f"the documents do not answer this{why}", **details)
    guarded = apply_guardrails(draft.text, sources=draft.sources, customer_text=question,
                               max_chars=min(style.max_reply_chars, MAX_WHATSAPP_CHARS),
                               forbidden_snippets=system_prompt_snippets())
    details["notes"] += guarded.changes
    if not guarded.text.strip():
        return hand_off("the draft did not pass the guardrails", **details)
    return Decision(handoff=False, text=guarded.text, **details)
