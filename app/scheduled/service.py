"""Scheduled messages: create, list, cancel. Firing lives in firing.py. Flushes, never commits."""

from sqlmodel import Session, col, func, select

from app.common import utcnow
from app.messages.models import Message
from app.scheduled.recurrence import next_run
from app.config import Settings
from app.errors import Conflict, Unprocessable
from app.groups.repository import GroupRepository
from app.net import check_public_url
from app.scheduled.models import ScheduledMessage
from app.scheduled.recurrence import first_run
from app.scheduled.repository import ScheduledRepository
from app.scheduled.schemas import RunPage, RunPublic, ScheduledChanges, ScheduledCreate, ScheduledPublic
from app.sessions.repository import SessionRepository


class AlreadyFinished(Conflict):
    detail = "This scheduled message has already fired; there is nothing left to cancel"


def create_scheduled(session: Session, settings: Settings, account_id: str,
                     body: ScheduledCreate) -> ScheduledMessage:
    """Store a message to fire at `scheduled_at` (and then on its cron schedule, if it has one)."""
    SessionRepository(session, account_id).get_or_404(body.session_id)
    if body.group_id is not None:
        GroupRepository(session, account_id).get_or_404(body.group_id)
    if body.media_url:
        check_public_url(body.media_url, settings.allow_private_urls, what="media_url")
    row = ScheduledMessage(account_id=account_id, name=body.name, session_id=body.session_id, phone=body.phone,
                           group_id=body.group_id, message=body.message, media_url=body.media_url,
                           scheduled_at=body.scheduled_at, cron=body.cron, timezone=body.timezone,
                           next_run_at=first_run(body.cron, body.timezone, body.scheduled_at))
    return ScheduledRepository(session, account_id).add(row)


def list_scheduled(session: Session, account_id: str, *, status: str | None = None, limit: int = 100,
                   offset: int = 0) -> list[ScheduledMessage]:
    return ScheduledRepository(session, account_id).list(status=status, limit=limit, offset=offset)


def get_scheduled(session: Session, account_id: str, scheduled_id: str) -> ScheduledMessage:
    return ScheduledRepository(session, account_id).get_or_404(scheduled_id)


def cancel_scheduled(session: Session, account_id: str, scheduled_id: str) -> ScheduledMessage:
    """Cancel a pending or paused message (a recurring one stops for good); cancelling twice is harmless."""
    row = get_scheduled(session, account_id, scheduled_id)
    if row.status == "cancelled":
        return row
    if row.status not in ("pending", "paused"):
        raise AlreadyFinished(f"This scheduled message is already {row.status}; there is nothing left to cancel")
    row.status, row.next_run_at, row.updated_at = "cancelled", None, utcnow()
    session.add(row)
    session.flush()
    return row


def to_public(row: ScheduledMessage) -> ScheduledPublic:
    """Our fields, and MoltFlow's names for the same values."""
    return ScheduledPublic(**row.model_dump(include=set(ScheduledPublic.model_fields)),
                           schedule_type="cron" if row.cron else "one_time", cron_expression=row.cron,
                           message_content=row.message, custom_group_id=row.group_id)


def _still_to_fire(row: ScheduledMessage, verb: str) -> None:
    if row.status not in ("pending", "paused"):
        raise AlreadyFinished(f"This scheduled message is already {row.status}; there is nothing to {verb}")


def update_scheduled(session: Session, settings: Settings, account_id: str, scheduled_id: str,
                     body: ScheduledChanges) -> ScheduledMessage:
    """Change a message that has yet to fire; its next run follows the new time, schedule or zone."""
    row = get_scheduled(session, account_id, scheduled_id)
    _still_to_fire(row, "change")
    changes = body.model_dump(exclude_unset=True)
    if changes.get("media_url"):
        check_public_url(changes["media_url"], settings.allow_private_urls, what="media_url")
    for field in ("name", "message", "media_url", "scheduled_at", "cron", "timezone"):
        if field in changes and (changes[field] is not None or field in ("name", "media_url", "cron")):
            setattr(row, field, changes[field])
    if {"scheduled_at", "cron", "timezone"} & set(changes):
        # The schedule restarts from its start time, or from now once that has passed.
        start = max(row.scheduled_at, utcnow()) if row.cron else row.scheduled_at
        try:
            row.next_run_at = first_run(row.cron, row.timezone, start)
        except (ValueError, KeyError, OverflowError):
            raise Unprocessable(f"the cron expression {row.cron!r} never matches a date after the start") from None
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def pause_scheduled(session: Session, account_id: str, scheduled_id: str) -> ScheduledMessage:
    """Hold a message (a recurring one stops repeating) until resumed; pausing twice is harmless."""
    row = get_scheduled(session, account_id, scheduled_id)
    _still_to_fire(row, "pause")
    row.status, row.updated_at = "paused", utcnow()
    session.add(row)
    session.flush()
    return row


def resume_scheduled(session: Session, account_id: str, scheduled_id: str) -> ScheduledMessage:
    """Let a paused message fire again: a one-off whose time passed fires now; a recurring one at its next time."""
    row = get_scheduled(session, account_id, scheduled_id)
    _still_to_fire(row, "resume")
    if row.status == "paused":
        now = utcnow()
        if row.cron and row.next_run_at is not None and row.next_run_at < now:
            row.next_run_at = next_run(row.cron, row.timezone, now)  # times missed while paused are not replayed
        row.status, row.updated_at = "pending", now
        session.add(row)
        session.flush()
    return row


def delete_scheduled(session: Session, account_id: str, scheduled_id: str) -> ScheduledMessage | None:
    """One still to fire is cancelled (and returned); one already finished is deleted (None)."""
    row = get_scheduled(session, account_id, scheduled_id)
    if row.status in ("pending", "paused"):
        row.status, row.next_run_at, row.updated_at = "cancelled", None, utcnow()
        session.add(row)
        session.flush()
        return row
    ScheduledRepository(session, account_id).delete(row)
    return None


def history(session: Session, account_id: str, scheduled_id: str, *, limit: int, offset: int) -> RunPage:
    """What each run sent, newest first: the messages its runs sent (their idempotency keys name the run)."""
    row = get_scheduled(session, account_id, scheduled_id)
    prefix = f"scheduled:{row.id}:"
    statement = select(Message).where(Message.account_id == account_id, Message.origin == "scheduled",
                                      col(Message.idempotency_key).startswith(prefix))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    messages = session.exec(statement.order_by(Message.created_at.desc(), Message.id).offset(offset).limit(limit))
    items = [RunPublic(run=int(m.idempotency_key.removeprefix(prefix).split(":")[0]), phone=m.phone,
                       status=m.status, message_id=m.gateway_message_id, error=m.error, sent_at=m.created_at)
             for m in messages]
    return RunPage(items=items, total=total, limit=limit, offset=offset)
