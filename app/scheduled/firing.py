"""Firing due scheduled messages exactly once, however many workers run and whenever they crash.

Every second a periodic task hands each due row to a `scheduled.fire` job, in one transaction: the row is marked
held (`claimed_until`, with a compare-and-set UPDATE; on PostgreSQL the candidates are also picked `FOR UPDATE
SKIP LOCKED`) and the job is enqueued with it. From there the job queue is the one claim mechanism: a worker that
dies mid-send has its job taken back at once (app/jobs/liveness.py), and the per-recipient idempotency keys turn
every send the first attempt already made into a no-op.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.bulk.sending import personalize, send_safely
from app.common import utcnow
from app.db import unit_of_work
from app.groups.repository import MemberRepository
from app.jobs.queue import enqueue
from app.messages.reconcile import SETTLE_MARGIN
from app.scheduled.models import ScheduledMessage
from app.scheduled.recurrence import next_run
from app.state import Services

logger = logging.getLogger("replybase.scheduled")
FIRE_JOB = "scheduled.fire"
# How long a row stays held by its fire job; the job (taken back at once after a crash) releases it sooner.
HOLD = timedelta(hours=1)
CLAIM_BATCH = 20


def _due(now: datetime):
    return (ScheduledMessage.status == "pending", ScheduledMessage.next_run_at <= now,
            or_(ScheduledMessage.claimed_until.is_(None), ScheduledMessage.claimed_until < now))


def claim(session: Session, now: datetime, limit: int = CLAIM_BATCH) -> list[tuple[str, str]]:
    """Hold up to `limit` due rows with an UPDATE ... RETURNING; the caller commits. Of several workers racing
    for a row exactly one gets it: the UPDATE's WHERE is the compare-and-set, re-checked after any lock wait."""
    candidates = select(ScheduledMessage.id).where(*_due(now)).order_by(ScheduledMessage.next_run_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        # Locked first, then updated: a LIMIT ... SKIP LOCKED subquery inside the UPDATE may run more than once.
        candidates = list(session.exec(candidates.with_for_update(skip_locked=True)).all())
        if not candidates:
            return []
    # On SQLite one statement, a write from the start, so no read snapshot has to be upgraded to a write.
    result = session.execute(update(ScheduledMessage)
                             .where(ScheduledMessage.id.in_(candidates), *_due(now))
                             .values(claimed_until=now + HOLD)
                             .returning(ScheduledMessage.id, ScheduledMessage.account_id))
    return [(row_id, account_id) for row_id, account_id in result]


def enqueue_due(services: Services) -> int:
    """Hand every due row to a fire job, in one short transaction; returns how many."""
    with unit_of_work(services.session_factory) as session:
        claimed = claim(session, utcnow())
        for scheduled_id, account_id in claimed:
            enqueue(session, FIRE_JOB, {"scheduled_id": scheduled_id}, account_id=account_id)
    return len(claimed)


def _recipients(session: Session, row: ScheduledMessage) -> list[tuple[str, str | None]]:
    if row.phone:
        return [(row.phone, None)]
    if row.group_id is None:
        return []
    return [(m.phone, m.name) for m in MemberRepository(session, row.account_id).for_group(row.group_id)]


def fire(services: Services, scheduled_id: str) -> None:
    """Send one held row to its recipients (no transaction open while sending), record the run, release it."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        row = session.get(ScheduledMessage, scheduled_id)
        if row is None or row.status != "pending":
            return
        run_number, now = row.run_count + 1, utcnow()
        recipients = _recipients(session, row)
    sent = failed = 0
    interrupted = False
    errors: list[str] = []
    for phone, name in recipients:
        outcome = send_safely(services, row.account_id, session_id=row.session_id, phone=phone,
                              message=personalize(row.message, name), media_url=row.media_url,
                              idempotency_key=f"scheduled:{row.id}:{run_number}:{phone}", origin="scheduled")
        interrupted |= outcome.in_progress
        sent, failed = sent + int(outcome.ok), failed + int(outcome.error is not None and not outcome.in_progress)
        if outcome.error and not outcome.in_progress:
            errors.append(f"{phone}: {outcome.error}")
    if interrupted:  # a crash interrupted one of this run's sends: fire the run again once that is settled
        with unit_of_work(services.session_factory) as session:
            enqueue(session, FIRE_JOB, {"scheduled_id": row.id}, account_id=row.account_id,
                    run_at=utcnow() + timedelta(seconds=services.settings.gateway_timeout_seconds) + SETTLE_MARGIN)
        return
    if not recipients:
        errors.append("the custom group was deleted" if row.group_id is None else "the custom group is empty")
    error = "; ".join(errors)[:1000] or None
    with unit_of_work(services.session_factory) as session:
        session.execute(update(ScheduledMessage).where(ScheduledMessage.id == row.id)
                        .values(run_count=run_number, last_run_at=now, last_sent=sent, last_failed=failed,
                                last_error=error, claimed_until=None, updated_at=utcnow()))
        if row.cron:
            moves_on = {"next_run_at": next_run(row.cron, row.timezone, max(now, row.next_run_at))}
        else:
            moves_on = {"status": "sent" if sent else "failed", "next_run_at": None}
        # Only a still-pending row moves on: a cancel that landed while we were sending wins.
        session.execute(update(ScheduledMessage)
                        .where(ScheduledMessage.id == row.id, ScheduledMessage.status == "pending")
                        .values(**moves_on))
    logger.info("scheduled message %s run %s: %s sent, %s failed", scheduled_id, run_number, sent, failed)


def release(services: Services, scheduled_id: str, error: str) -> None:
    """A fire job that ran out of attempts: record why and let the row be picked up at its next due time."""
    with unit_of_work(services.session_factory) as session:
        session.execute(update(ScheduledMessage).where(ScheduledMessage.id == scheduled_id)
                        .values(claimed_until=None, last_error=error[:1000], updated_at=utcnow()))
