"""Auto-reply settings per session and pausing or resuming the bot in a chat. Flushes, never commits."""

from datetime import timedelta

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlmodel import Session

from app.accounts.plans import require_feature
from app.auth.principal import Principal
from app.autoreply.models import AutoReplySettings
from app.autoreply.repository import AutoReplySettingsRepository, ChatStateRepository
from app.autoreply.schemas import AutoReplyConfig, AutoReplyPublic
from app.common import utcnow
from app.errors import NotFound
from app.messages.chats import normalize_chat_id
from app.messages.repository import MessageRepository
from app.sessions.repository import SessionRepository
from app.styles.repository import StyleProfileRepository


def _public(session_id: str, config: AutoReplySettings | None) -> AutoReplyPublic:
    if config is None:
        return AutoReplyPublic(session_id=session_id, updated_at=utcnow())
    fields = config.model_dump(exclude={"account_id", "session_id", "updated_at"})
    return AutoReplyPublic(session_id=session_id, updated_at=config.updated_at, **fields)


def get_settings(session: Session, account_id: str, session_id: str) -> AutoReplyPublic:
    SessionRepository(session, account_id).get_or_404(session_id)
    return _public(session_id, AutoReplySettingsRepository(session, account_id).get(session_id))


def require_plan_features(plan: str, account_id: str, *, enabled: bool, drafter: str) -> None:
    """403 unless the plan includes auto-reply (when it is on) and the chosen drafter's feature."""
    if enabled:
        require_feature(plan, "auto_reply", account_id)
    if drafter == "openai":
        require_feature(plan, "openai_drafter", account_id)


def put_settings(session: Session, principal: Principal, session_id: str, body: AutoReplyConfig) -> AutoReplyPublic:
    """Replace the session's auto-reply settings."""
    account_id = principal.account_id
    SessionRepository(session, account_id).get_or_404(session_id)
    require_plan_features(principal.plan, account_id, enabled=body.enabled, drafter=body.drafter)
    if body.style_profile_id and StyleProfileRepository(session, account_id).get(body.style_profile_id) is None:
        raise NotFound("Style profile not found")
    repository = AutoReplySettingsRepository(session, account_id)
    config = repository.get(session_id) or AutoReplySettings(session_id=session_id, account_id=account_id)
    values = body.model_dump()
    values["business_hours"] = values["business_hours"] or {}
    values["handoff_keywords"] = [k.strip().lower() for k in values["handoff_keywords"] if k.strip()]
    for name, value in values.items():
        setattr(config, name, value)
    config.updated_at = utcnow()
    session.add(config)
    session.flush()
    return _public(session_id, config)


def patch_settings(session: Session, principal: Principal, session_id: str, changes: dict) -> AutoReplyPublic:
    """Change only the fields sent; the rest keep their current values."""
    current = get_settings(session, principal.account_id, session_id)
    merged = current.model_dump(include=set(AutoReplyConfig.model_fields)) | changes
    try:
        body = AutoReplyConfig.model_validate(merged)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    return put_settings(session, principal, session_id, body)


def _existing_chat(session: Session, account_id: str, session_id: str, chat_id: str) -> str:
    """The stored chat id for any written form of it; 404 when the session has no such chat."""
    SessionRepository(session, account_id).get_or_404(session_id)
    canonical = normalize_chat_id(chat_id)
    if canonical is None or MessageRepository(session, account_id).in_chat(canonical, session_id, 1, 0)[1] == 0:
        raise NotFound(f"Chat {chat_id} not found in session {session_id}")
    return canonical


def pause_chat(session: Session, account_id: str, session_id: str, chat_id: str, minutes: int):
    """Keep the bot quiet in a chat for `minutes`."""
    chat_id = _existing_chat(session, account_id, session_id, chat_id)
    state = ChatStateRepository(session, account_id).get_or_create(session_id, chat_id)
    state.paused_until, state.updated_at = utcnow() + timedelta(minutes=minutes), utcnow()
    session.add(state)
    session.flush()
    return state


def resume_chat(session: Session, account_id: str, session_id: str, chat_id: str):
    """Let the bot answer again: ends a pause and closes a handoff."""
    chat_id = _existing_chat(session, account_id, session_id, chat_id)
    state = ChatStateRepository(session, account_id).get_or_create(session_id, chat_id)
    state.paused_until, state.handoff_open = None, False
    state.resumed_at = state.updated_at = utcnow()
    session.add(state)
    session.flush()
    return state
