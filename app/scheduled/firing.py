"""Firing due scheduled messages exactly once, however many workers run and whenever they crash.

A worker claims a row by setting `claimed_until` with a compare-and-set UPDATE (on PostgreSQL the candidates
are also picked `FOR UPDATE SKIP LOCKED`, so workers do not even queue up on the same rows). A worker that
dies mid-send leaves its claim to expire; the next one fires the row again, and the per-recipient
idempotency keys (committed with each send) turn every send the first one already made into a no-op.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.bulk.sending import personalize, send_safely
from app.common import utcnow
from app.groups.repository import MemberRepository
from app.scheduled.models import ScheduledMessage
from app.scheduled.recurrence import next_run
from app.state import Services

logger = logging.getLogger("replybase.scheduled")
CLAIM_LEASE = timedelta(minutes=10)
CLAIM_BATCH = 20


def _due(now: datetime):
    return (ScheduledMessage.status == "pending", ScheduledMessage.next_run_at <= now,
            or_(ScheduledMessage.claimed_until.is_(None), ScheduledMessage.claimed_until < now))


def claim(session: Session, now: datetime, limit: int = CLAIM_BATCH) -> list[str]:
    """Claim up to `limit` due rows with an UPDATE ... RETURNING; the caller commits. Of several workers racing
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
                             .values(claimed_until=now + CLAIM_LEASE)
                             .returning(ScheduledMessage.id))
    return [row_id for (row_id,) in result]


def claim_due(services: Services, now: datetime) -> list[str]:
    """Claim due rows in one short transaction; returns their ids."""
    with services.session_factory() as session:
        claimed = claim(session, now)
        session.commit()
    return claimed


def _recipients(session: Session, row: ScheduledMessage) -> list[tuple[str, str | None]]:
    if row.phone:
        return [(row.phone, None)]
    if row.group_id is None:
        return []
    return [(m.phone, m.name) for m in MemberRepository(session, row.account_id).for_group(row.group_id)]


def fire(services: Services, scheduled_id: str) -> None:
    """Send one claimed row to its recipients, record the run, and release the claim."""
    with services.session_factory() as session:
        row = session.get(ScheduledMessage, scheduled_id)
        if row is None or row.status != "pending":
            return
        run_number, now = row.run_count + 1, utcnow()
        recipients = _recipients(session, row)
        session.commit()  # end the read; each send below starts its own transaction with a write
        sent = failed = 0
        errors: list[str] = []
        for phone, name in recipients:
            # Extend the claim while a long list is sent; a write first, so SQLite takes its lock up front.
            session.execute(update(ScheduledMessage).where(ScheduledMessage.id == row.id)
                            .values(claimed_until=utcnow() + CLAIM_LEASE))
            outcome = send_safely(session, services, row.account_id, session_id=row.session_id, phone=phone,
                                  message=personalize(row.message, name), media_url=row.media_url,
                                  idempotency_key=f"scheduled:{row.id}:{run_number}:{phone}", origin="scheduled")
            session.commit()  # each send is kept with its idempotency key, whatever happens next
            sent, failed = sent + int(outcome.ok), failed + int(not outcome.ok)
            if outcome.error:
                errors.append(f"{phone}: {outcome.error}")
        if not recipients:
            errors.append("the custom group was deleted" if row.group_id is None else "the custom group is empty")
        error = "; ".join(errors)[:1000] or None

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
        session.commit()
    logger.info("scheduled message %s run %s: %s sent, %s failed", scheduled_id, run_number, sent, failed)


def fire_due(services: Services) -> int:
    """Claim and fire every due scheduled message; returns how many fired."""
    claimed = claim_due(services, utcnow())
    for scheduled_id in claimed:
        fire(services, scheduled_id)
    return len(claimed)
