"""Turns a customer's question into a decision: an answer with its sources, or a handoff. Sends nothing."""

import re
from dataclasses import dataclass, field

from app.autoreply.guardrails import apply_guardrails
from app.autoreply.memory import standalone_question
from app.db import unit_of_work
from app.drafters.base import DraftRequest, Source, StyleSpec, Turn
from app.drafters.registry import build_drafter
from app.drafters.templates import render_template, system_prompt_snippets
from app.kb.retrieval import embed_query, retrieve
from app.state import Services

MAX_WHATSAPP_CHARS = 4096
SOURCES_PER_QUESTION = 5


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
    lowered = question.lower()
    return any(re.search(rf"\b{re.escape(keyword.lower())}\b", lowered) for keyword in keywords if keyword.strip())


def handoff_text(fallback_message: str, style: StyleSpec, customer_name: str | None, *, unknown: bool) -> str:
    """The custom fallback message, else "I don't know" (when the documents did not) plus the handoff line."""
    if fallback_message.strip():
        return fallback_message.strip()
    handoff = render_template("handoff.j2", style=style, customer_name=customer_name).strip()
    return f"{render_template('fallback.j2', style=style).strip()} {handoff}" if unknown else handoff


def compose(services: Services, account_id: str, *, question: str, history: list[Turn],
            style: StyleSpec, drafter_name: str, tags: list[str], min_confidence: float,
            handoff_keywords: list[str], fallback_message: str, customer_name: str | None = None) -> Decision:
    """Retrieve, draft and check a reply; a structured handoff when the documents do not know.

    Only the retrieval reads the database, in a short read of its own: no transaction is open while the embedder
    or the drafter (possibly a remote model) works."""

    def hand_off(reason: str, *, unknown: bool = True, **details) -> Decision:
        text = handoff_text(fallback_message, style, customer_name, unknown=unknown)
        return Decision(handoff=True, text=text, reason=reason, **details)

    if asks_for_human(question, handoff_keywords):
        return hand_off("the customer asked for a person", unknown=False)
    query = standalone_question(question, history)
    query_vector = embed_query(services, query)
    with unit_of_work(services.session_factory, read_only=True) as session:
        found = retrieve(session, services, account_id, query, top_k=SOURCES_PER_QUESTION, tags=tags or None,
                         query_vector=query_vector)
    sources = [Source(chunk_id=c.chunk_id, document_id=c.document_id, document_title=c.document_title, text=c.text,
                      page=c.page, section=c.section, score=c.score) for c in found]
    if not sources:
        return hand_off("nothing in the knowledge base matches", query=query)
    drafter = build_drafter(services, drafter_name)
    draft = drafter.draft(DraftRequest(question=query, sources=sources, style=style, history=history,
                                       customer_name=customer_name))
    details = {"sources": draft.sources, "confidence": draft.confidence, "drafter": draft.drafter,
               "notes": list(draft.notes), "query": query}
    if not draft.answered:
        return hand_off("the documents do not answer this", **details)
    if draft.confidence < min_confidence:
        return hand_off(f"confidence {draft.confidence:.2f} is below {min_confidence:.2f}", **details)
    guarded = apply_guardrails(draft.text, sources=draft.sources, customer_text=question,
                               max_chars=min(style.max_reply_chars, MAX_WHATSAPP_CHARS),
                               forbidden_snippets=system_prompt_snippets())
    details["notes"] += guarded.changes
    if not guarded.text.strip():
        return hand_off("the draft did not pass the guardrails", **details)
    return Decision(handoff=False, text=guarded.text, **details)
