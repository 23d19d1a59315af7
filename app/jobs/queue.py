"""enqueue(): add a job row to the caller's transaction, so the job exists exactly when the change commits."""

from datetime import datetime

from sqlmodel import Session

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.registry import HANDLERS


def enqueue(session: Session, kind: str, payload: dict, *, run_at: datetime | None = None) -> Job:
    spec = HANDLERS.get(kind)
    job = Job(kind=kind, payload=payload, run_at=run_at or utcnow(),
              max_attempts=spec.max_attempts if spec else 5)
    session.add(job)
    session.flush()
    return job
