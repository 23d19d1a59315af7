"""MoltFlow's reply generation (/ai/generate-reply, GET /ai/preview) over the auto-reply preview: the same drafter,
guardrails and plan checks as POST /ai/preview, with the style picked by the chat > session > general cascade."""

import re
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from app.accounts.plans import PlanFeatureRequired
from app.autoreply import preview as preview_service
from app.autoreply import service as autoreply_service
from app.autoreply.schemas import PreviewRequest
from app.auth.principal import Principal
from app.db import unit_of_work
from app.deps import RequireScope, ServicesDep
from app.errors import NotFound, Unprocessable, error_responses
from app.phones import canonical_chat_id
from app.schema_base import RequestBody
from app.state import Services
from app.styles import scopes

router = APIRouter(prefix="/ai", tags=["MoltFlow: replies"])
AiRead = RequireScope("ai:read")
# MoltFlow's examples frame the question ("Customer asks: ..."); the framing is not part of what was asked, and
# searched as words it pulls passages about customers and asking.
_FRAMING = re.compile(r"^\s*(?:the\s+)?(?:customer|client|user|contact|buyer)\s+"
                      r"(?:asks|asked|says|said|writes|wrote|wants\s+to\s+know)\s*[:\-]\s*", re.IGNORECASE)


def question_of(context: str) -> str:
    return _FRAMING.sub("", context, count=1).strip()


class GenerateReply(RequestBody):
    contact_id: str = Field(max_length=80, examples=["5511999999999@c.us"])
    context: str = Field(min_length=1, max_length=2000, examples=["Customer asks: What is your return policy?"])
    use_rag: bool = True
    apply_style: bool = True
    profile_id: str | None = Field(default=None, max_length=32)
    session_id: str | None = Field(default=None, max_length=32)
    approved: bool = False


class GeneratedReply(BaseModel):
    reply: str
    rag_sources: list[str] = Field(description="Titles of the documents the reply quotes")
    sources: list[dict]
    style_applied: bool
    profile_id: str | None
    model: str | None = Field(description="The drafter that wrote it (extractive or openai)")
    tokens_used: int | None = Field(default=None, description="Not counted here")
    requires_approval: bool = Field(description="The session reviews drafts (auto-reply mode review)")
    confidence: float
    handoff: bool = Field(description="True when the documents do not answer: the reply is the fallback text")


def _generate(services: Services, principal: Principal, body: GenerateReply) -> GeneratedReply:
    if not body.use_rag:
        raise Unprocessable("use_rag must be true: replies here are always written from the knowledge base")
    question = question_of(body.context)
    if not question:
        raise Unprocessable("context holds no question after its 'Customer asks:' framing")
    try:
        chat = canonical_chat_id(body.contact_id)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    with unit_of_work(services.session_factory, read_only=True) as session:
        review = False
        if body.session_id:
            review = autoreply_service.get_settings(session, principal.account_id, body.session_id).mode == "review"
        profile_id = body.profile_id
        if body.apply_style and profile_id is None:
            picked = scopes.resolve(session, principal.account_id, session_id=body.session_id, chat_id=chat)
            profile_id = picked.id if picked else None
    draft = preview_service.preview(services, principal, PreviewRequest(
        message=question, session_id=body.session_id, style_profile_id=profile_id if body.apply_style else None))
    titles = list(dict.fromkeys(source.get("document_title", "") for source in draft.sources))
    return GeneratedReply(reply=draft.reply, rag_sources=[t for t in titles if t], sources=draft.sources,
                          style_applied=bool(body.apply_style and profile_id), profile_id=profile_id,
                          model=draft.drafter, requires_approval=review and not body.approved,
                          confidence=draft.confidence, handoff=draft.handoff)


REPLY_ERRORS = error_responses(NotFound, Unprocessable, PlanFeatureRequired)


@router.post("/generate-reply", response_model=GeneratedReply, responses=REPLY_ERRORS)
def generate_reply(body: GenerateReply, principal: AiRead, services: ServicesDep):
    """Draft a reply to a contact's question from the knowledge base, in the cascade's style; nothing is sent."""
    return _generate(services, principal, body)


@router.get("/preview", response_model=GeneratedReply, responses=REPLY_ERRORS)
def preview(principal: AiRead, services: ServicesDep,
            contact_id: Annotated[str, Query(max_length=80)], context: Annotated[str, Query(min_length=1,
                                                                                            max_length=2000)],
            use_rag: bool = True, apply_style: bool = True,
            profile_id: Annotated[str | None, Query(max_length=32)] = None,
            session_id: Annotated[str | None, Query(max_length=32)] = None):
    """The same draft as /ai/generate-reply, from query parameters."""
    return _generate(services, principal, GenerateReply(contact_id=contact_id, context=context, use_rag=use_rag,
                                                        apply_style=apply_style, profile_id=profile_id,
                                                        session_id=session_id))
