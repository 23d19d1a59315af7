"""Scheduled messages: create, list, cancel. Firing lives in firing.py. Flushes, never commits."""

from sqlmodel import Session

from app.common import utcnow
from app.config import Settings
from app.errors import Conflict
from app.groups.repository import GroupRepository
from app.net import check_public_url
from app.scheduled.models import ScheduledMessage
from app.scheduled.recurrence import first_run
from app.scheduled.repository import ScheduledRepository
from app.scheduled.schemas import ScheduledCreate
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
    row = ScheduledMessage(account_id=account_id, session_id=body.session_id, phone=body.phone,
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
    """Cancel a pending message (a recurring one stops for good); cancelling twice is harmless."""
    row = get_scheduled(session, account_id, scheduled_id)
    if row.status == "cancelled":
        return row
    if row.status != "pending":
        raise AlreadyFinished(f"This scheduled message is already {row.status}; there is nothing left to cancel")
    row.status, row.next_run_at, row.updated_at = "cancelled", None, utcnow()
    session.add(row)
    session.flush()
    return row
