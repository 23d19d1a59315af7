"""The home page's counts: read-only, grouped queries scoped to one account (no domain has them as a service)."""

from datetime import datetime, time, timezone

from sqlmodel import Session, func, select

from app.autoreply.models import Reply
from app.kb.models import Document
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
