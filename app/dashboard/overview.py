"""The home page's counts: read-only, grouped queries scoped to one account (no domain has them as a service)."""

from datetime import datetime, time, timezone

from sqlmodel import Session, func, select

from app.autoreply.models import ChatState, Reply
from app.autoreply.repository import ChatStateRepository
from app.kb.models import Document
from app.messages.models import Message
from app.webhooks.models import WebhookDelivery

REPLY_OUTCOMES = ("sent", "draft", "handoff", "skipped")


def _counts(session: Session, model, account_id: str, *where) -> dict[str, int]:
    statement = (select(model.status, func.count()).where(model.account_id == account_id, *where)
                 .group_by(model.status))
    return {status: int(count) for status, count in session.exec(statement)}


def start_of_today() -> datetime:
    return datetime.combine(datetime.now(timezone.utc).date(), time.min, tzinfo=timezone.utc)


def replies_today(session: Session, account_id: str) -> dict[str, int]:
    """Today's (UTC) replies by outcome; the four an operator acts on always present."""
    counts = _counts(session, Reply, account_id, Reply.created_at >= start_of_today())
    return {outcome: counts.pop(outcome, 0) for outcome in REPLY_OUTCOMES} | counts


def documents_by_status(session: Session, account_id: str) -> dict[str, int]:
    return {"processing": 0, "ready": 0, "failed": 0} | _counts(session, Document, account_id)


def failed_deliveries(session: Session, account_id: str, limit: int = 5) -> list[WebhookDelivery]:
    statement = (select(WebhookDelivery).where(WebhookDelivery.account_id == account_id,
                                               WebhookDelivery.status == "failed")
                 .order_by(WebhookDelivery.created_at.desc()).limit(limit))
    return list(session.exec(statement))


def open_handoffs(session: Session, account_id: str) -> list[ChatState]:
    """Chats the bot handed to a person and nobody has resumed, oldest first: they have waited longest."""
    repository = ChatStateRepository(session, account_id)
    return list(session.exec(repository.select().where(ChatState.handoff_open)
                             .order_by(ChatState.handoff_at)))


def chat_state(session: Session, account_id: str, session_id: str, chat_id: str) -> ChatState | None:
    repository = ChatStateRepository(session, account_id)
    return session.exec(repository.select().where(ChatState.session_id == session_id,
                                                  ChatState.chat_id == chat_id)).first()


def message_origins(session: Session, account_id: str, message_ids: list[str]) -> dict[str, str]:
    """Who sent each outgoing message (autoreply, api, dashboard, ...), which the messages API does not show."""
    if not message_ids:
        return {}
    statement = select(Message.id, Message.origin).where(Message.account_id == account_id,
                                                         Message.id.in_(message_ids))
    return dict(session.exec(statement).all())
