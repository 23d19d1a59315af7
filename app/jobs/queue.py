"""enqueue(): add a job row to the caller's transaction, so the job exists exactly when the change commits."""

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.registry import HANDLERS

# Session.info keys: the process's wake-up signal (set by the session factory) and the lanes to wake on commit.
WAKEUP_KEY = "replybase_job_wakeup"
_ENQUEUED_LANES = "replybase_enqueued_lanes"


def enqueue(session: Session, kind: str, payload: dict, *, run_at: datetime | None = None,
            account_id: str | None = None) -> Job:
    spec = HANDLERS.get(kind)
    if spec is None:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    job = Job(kind=kind, lane=spec.lane, account_id=account_id, payload=payload, run_at=run_at or utcnow(),
              max_attempts=spec.max_attempts)
    session.add(job)
    session.flush()
    session.info.setdefault(_ENQUEUED_LANES, set()).add(spec.lane)
    return job


@event.listens_for(OrmSession, "after_commit")
def _wake_workers(session: OrmSession) -> None:
    """A job committed in this process starts at once instead of at the workers' next poll."""
    lanes = session.info.pop(_ENQUEUED_LANES, None)
    wakeup = session.info.get(WAKEUP_KEY)
    if lanes and wakeup is not None:
        wakeup.notify(lanes)


@event.listens_for(OrmSession, "after_rollback")
def _forget_lanes(session: OrmSession) -> None:
    session.info.pop(_ENQUEUED_LANES, None)
