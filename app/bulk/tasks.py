"""The bulk sender: each job sends to one recipient and queues the next step one paced gap later, so all
progress is in the database and a restarted worker carries on where it stopped."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from app.bulk.models import BulkJob, BulkRecipient
from app.bulk.pacing import earliest_next_send, next_gap
from app.bulk.repository import RecipientRepository, last_send_on_session
from app.bulk.sending import personalize, send_safely
from app.bulk.service import SEND_NEXT_JOB, USER
from app.common import utcnow
from app.db import unit_of_work
from app.errors import NotFound
from app.gateways.base import WORKING
from app.jobs.queue import enqueue
from app.jobs.registry import OUTREACH, JobContext, job_handler
from app.messages.reconcile import SETTLE_MARGIN
from app.sessions.models import WhatsAppSession
from app.sessions.service import refresh_session

logger = logging.getLogger("replybase.bulk")
PAUSED_RECHECK = timedelta(seconds=60)
PAUSE_LIMIT = timedelta(hours=24)


@job_handler(SEND_NEXT_JOB, lane=OUTREACH, max_attempts=5)
def send_next(ctx: JobContext, payload: dict) -> None:
    """Send one bulk job's next recipient, then schedule the next step.

    Three short transactions: pick the recipient, send (no transaction open), record and schedule."""
    services, settings = ctx.services, ctx.services.settings
    with unit_of_work(services.session_factory) as session:
        job = session.get(BulkJob, payload["bulk_job_id"])
        if job is None or job.status in ("completed", "cancelled") or job.paused_by == USER:
            return  # a job paused by a person waits for resume_bulk, which starts the chain again
        if session.exec(select(WhatsAppSession.status).where(WhatsAppSession.id == job.session_id)).one() != WORKING:
            _pause(session, job, payload)
            return
        # When this step was due: the next one is due a gap after it (a metronome), so the time each step takes
        # does not add up over the job.
        due_at = datetime.fromisoformat(payload["due_at"]) if "due_at" in payload else utcnow()
        payload = {"bulk_job_id": job.id}  # the session works: any pause is over
        # Pacing is per WhatsApp session, across every bulk job on it.
        wait_until = earliest_next_send(settings, last_send_on_session(session, job.session_id))
        if wait_until is not None:
            enqueue(session, SEND_NEXT_JOB, payload, run_at=wait_until, account_id=job.account_id)
            return
        recipient = RecipientRepository(session, job.account_id).next_pending(job.id)
        if recipient is None:
            _complete(session, job)
            return
        _set_status(session, job.id, "running", only_from="queued", started_at=utcnow())
        _set_status(session, job.id, "running", only_from="paused")
        text = personalize(job.message, recipient.name, job.fallback_name)

    handed_at = utcnow()
    outcome = send_safely(services, job.account_id, session_id=job.session_id, phone=recipient.phone, message=text,
                          media_url=job.media_url, idempotency_key=f"bulk:{job.id}:{recipient.id}", origin="bulk")
    if outcome.session_down:  # store what the gateway says about the session
        try:
            refresh_session(services, job.account_id, job.session_id)
        except NotFound:
            pass

    with unit_of_work(services.session_factory) as session:
        job = session.get(BulkJob, job.id)
        if job is None:
            return
        if outcome.session_down:  # the recipient stays pending and is sent to once the session works again
            _pause(session, job, payload)
            return
        if outcome.in_progress:  # a crash interrupted this very send; its outcome is being settled
            enqueue(session, SEND_NEXT_JOB, payload, account_id=job.account_id,
                    run_at=utcnow() + timedelta(seconds=settings.gateway_timeout_seconds) + SETTLE_MARGIN)
            return
        session.execute(update(BulkRecipient).where(BulkRecipient.id == recipient.id).values(
            status="sent" if outcome.ok else "failed", message_id=outcome.message_id, error=outcome.error,
            sent_at=handed_at))
        # Counters and statuses are updated in SQL so that a cancel landing meanwhile is never overwritten.
        session.execute(update(BulkJob).where(BulkJob.id == job.id)
                        .values(sent=BulkJob.sent + int(outcome.ok), failed=BulkJob.failed + int(not outcome.ok)))
        if RecipientRepository(session, job.account_id).next_pending(job.id) is None:
            _complete(session, job)
        elif session.exec(select(BulkJob.status).where(BulkJob.id == job.id)).one() not in ("cancelled", "paused"):
            next_due = max(due_at + next_gap(settings), handed_at)  # never catch up a backlog in a burst
            enqueue(session, SEND_NEXT_JOB, payload | {"due_at": next_due.isoformat()}, run_at=next_due,
                    account_id=job.account_id)


def _complete(session, job: BulkJob) -> None:
    _set_status(session, job.id, "completed", only_from=("queued", "running"), finished_at=utcnow())
    logger.info("bulk job %s finished", job.id)


def _pause(session, job: BulkJob, payload: dict) -> None:
    """Wait for the session to work again (restarted, QR scanned), looking again every PAUSED_RECHECK; after
    PAUSE_LIMIT the job is cancelled, so that a session nobody restarts does not keep it waiting for ever."""
    now = utcnow()
    paused_since = datetime.fromisoformat(payload["paused_since"]) if "paused_since" in payload else now
    if now - paused_since >= PAUSE_LIMIT:
        hours = PAUSE_LIMIT.total_seconds() / 3600
        RecipientRepository(session, job.account_id).cancel_pending(
            job.id, error=f"not sent: the session did not work again within {hours:g} hours")
        _set_status(session, job.id, "cancelled", only_from=("queued", "running", "paused"), finished_at=now)
        logger.warning("bulk job %s cancelled: session %s not working for %g hours", job.id, job.session_id, hours)
    else:
        _set_status(session, job.id, "paused", only_from=("queued", "running"))
        enqueue(session, SEND_NEXT_JOB, payload | {"paused_since": paused_since.isoformat()},
                run_at=now + PAUSED_RECHECK, account_id=job.account_id)
    session.flush()


def _set_status(session, bulk_job_id: str, status: str, *, only_from, **values) -> None:
    allowed = (only_from,) if isinstance(only_from, str) else only_from
    session.execute(update(BulkJob).where(BulkJob.id == bulk_job_id, BulkJob.status.in_(allowed))
                    .values(status=status, **values))
