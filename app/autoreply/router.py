from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.accounts.plans import PlanFeatureRequired
from app.autoreply import evaluation, replies, service
from app.autoreply import preview as preview_service
from app.autoreply.schemas import (ApproveRequest, AutoReplyChanges, AutoReplyConfig, AutoReplyPublic,
                                   ChatStatePublic, EvaluationRequest, EvaluationResponse, PauseRequest,
                                   PreviewRequest, PreviewResponse, ReplyPage, ReplyPublic)
from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import Conflict, NotFound, error_responses

router = APIRouter(prefix="/ai", tags=["Auto-reply"])
AiRead = RequireScope("ai:read")
AiWrite = RequireScope("ai:write")
ChatId = Annotated[str, Path(max_length=64, examples=["15551234567@c.us"])]  # the stored chat id's limit


@router.get("/auto-reply/{session_id}", response_model=AutoReplyPublic, responses=error_responses(NotFound))
def get_auto_reply(session_id: str, principal: AiRead, session: SessionDep):
    """The session's auto-reply settings (defaults until first saved)."""
    return service.get_settings(session, principal.account_id, session_id)


@router.put("/auto-reply/{session_id}", response_model=AutoReplyPublic,
            responses=error_responses(NotFound, PlanFeatureRequired))
def put_auto_reply(session_id: str, body: AutoReplyConfig, principal: AiWrite, session: SessionDep):
    """Replace the session's auto-reply settings: fields left out take their defaults, listed in `defaults_applied`
    (turning it on, or the openai drafter, must be in the plan)."""
    result = service.put_settings(session, principal, session_id, body)
    return result.model_copy(update={"defaults_applied": sorted(set(AutoReplyConfig.model_fields)
                                                                - body.model_fields_set)})


@router.patch("/auto-reply/{session_id}", response_model=AutoReplyPublic,
              responses=error_responses(NotFound, PlanFeatureRequired))
def patch_auto_reply(session_id: str, body: AutoReplyChanges, principal: AiWrite, session: SessionDep):
    """Change only the auto-reply settings sent; the others keep their values."""
    return service.patch_settings(session, principal, session_id, body.model_dump(exclude_unset=True))


@router.post("/auto-reply/{session_id}/chats/{chat_id}/pause", response_model=ChatStatePublic,
             responses=error_responses(NotFound))
def pause_chat(session_id: str, chat_id: ChatId, principal: AiWrite, session: SessionDep,
               body: PauseRequest | None = None):
    """Keep the bot quiet in one chat for a while (60 minutes unless given)."""
    return service.pause_chat(session, principal.account_id, session_id, chat_id, (body or PauseRequest()).minutes)


@router.post("/auto-reply/{session_id}/chats/{chat_id}/resume", response_model=ChatStatePublic,
             responses=error_responses(NotFound))
def resume_chat(session_id: str, chat_id: ChatId, principal: AiWrite, session: SessionDep):
    """Let the bot answer in the chat again; closes a handoff."""
    return service.resume_chat(session, principal.account_id, session_id, chat_id)


@router.get("/replies", response_model=ReplyPage)
def list_replies(principal: AiRead, session: SessionDep, session_id: str | None = None, chat_id: str | None = None,
                 status: str | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 offset: Offset = 0):
    """The reply log, newest first: what the bot answered, drafted, handed off or skipped, and why."""
    items, total = replies.list_replies(session, principal.account_id, session_id=session_id, chat_id=chat_id,
                                        status=status, limit=limit, offset=offset)
    return ReplyPage(items=[ReplyPublic.model_validate(item) for item in items], total=total, limit=limit,
                     offset=offset)


@router.post("/replies/{reply_id}/approve", response_model=ReplyPublic, responses=error_responses(NotFound, Conflict))
def approve_reply(reply_id: str, principal: AiWrite, services: ServicesDep, body: ApproveRequest | None = None):
    """Send a draft, optionally with edited text."""
    return replies.approve(services, principal.account_id, reply_id, body.text if body else None)


@router.post("/replies/{reply_id}/reject", response_model=ReplyPublic, responses=error_responses(NotFound, Conflict))
def reject_reply(reply_id: str, principal: AiWrite, session: SessionDep):
    """Discard a draft."""
    return replies.reject(session, principal.account_id, reply_id)


@router.post("/preview", response_model=PreviewResponse, responses=error_responses(NotFound, PlanFeatureRequired))
def preview(body: PreviewRequest, principal: AiRead, services: ServicesDep):
    """Draft a reply without sending it: the playground for tuning a style profile."""
    return preview_service.preview(services, principal, body)


@router.post("/evaluate", response_model=EvaluationResponse, responses=error_responses(NotFound, PlanFeatureRequired))
def evaluate(body: EvaluationRequest, principal: AiRead, services: ServicesDep):
    """Ask the bot your own test questions (with the facts a right reply holds, or none for questions your documents
    do not cover): what it would send each, and how many it gets right, wrong or hands off at each
    `min_confidence`. Nothing is sent or logged."""
    return evaluation.evaluate(services, principal, body)
