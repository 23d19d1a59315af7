"""Claiming a due job and settling its outcome: the one claim mechanism every background job goes through.

A claim is a compare-and-set UPDATE in a short transaction of its own; on PostgreSQL the candidate row is first
picked `FOR UPDATE SKIP LOCKED`, so workers never queue up behind each other's rows. Every claim counts as an
attempt, so a job that crashes its worker still runs out of attempts.
"""

import random
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.registry import HANDLERS

# A running job's lease; the worker's heartbeat renews it, so it only runs out when the worker is gone or hung.
LEASE = timedelta(seconds=60)


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff: uniform in [0.5, 1] x min(cap, base * 2**(attempt-1))."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)


def _due(lane: str, now: datetime):
    return Job.lane == lane, Job.status == "queued", Job.run_at <= now


def claim_next(session: Session, lane: str, worker_id: str) -> Job | None:
    """Claim the lane's next due job for `worker_id`; the caller commits."""
    now = utcnow()
    candidate = select(Job.id).where(*_due(lane, now)).order_by(Job.run_at, Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        # Locked first, then updated: a LIMIT ... SKIP LOCKED subquery inside the UPDATE may run more than once.
        job_id = session.exec(candidate.with_for_update(skip_locked=True)).first()
        if job_id is None:
            return None
        target = Job.id == job_id
    else:  # one statement that writes from the start: SQLite never has to upgrade a read to a write
        target = Job.id == candidate.scalar_subquery()
    claimed = session.execute(
        update(Job).where(target, *_due(lane, now))
        .values(status="running", attempts=Job.attempts + 1, locked_by=worker_id, locked_until=now + LEASE)
        .returning(Job.id)).first()
    return session.get(Job, claimed[0]) if claimed else None


def next_due_at(session: Session, lane: str) -> datetime | None:
    """When the lane's next queued job is due, to sleep exactly that long."""
    return session.exec(select(func.min(Job.run_at)).where(Job.lane == lane, Job.status == "queued")).one()


def settle(session: Session, job_id: int, worker_id: str, error: str | None) -> tuple[Job, bool] | None:
    """Record a job's outcome if `worker_id` still holds it; returns (job, given_up) or None when the lease
    was lost (another worker took the job over, which then settles it)."""
    job = session.get(Job, job_id)
    if job is None or job.status != "running" or job.locked_by != worker_id:
        return None
    spec = HANDLERS.get(job.kind)
    now = utcnow()
    given_up = error is not None and (spec is None or job.attempts >= job.max_attempts)
    if error is None:
        values = {"status": "done", "finished_at": now, "last_error": None}
    elif given_up:
        values = {"status": "failed", "finished_at": now, "last_error": error}
    else:
        delay = backoff_seconds(job.attempts, spec.base_delay_seconds, spec.max_delay_seconds)
        values = {"status": "queued", "run_at": now + timedelta(seconds=delay), "last_error": error}
    settled = session.execute(update(Job).where(Job.id == job_id, Job.status == "running",
                                                Job.locked_by == worker_id)
                              .values(locked_by=None, locked_until=None, **values))
    if settled.rowcount != 1:
        return None
    session.refresh(job)
    return job, given_up


def release_interrupted(session: Session, job_ids: list[int], reason: str) -> list[Job]:
    """Re-queue jobs whose worker is gone (a crash counts as an attempt); those out of attempts end `failed`.
    Returns the jobs given up, whose subjects the caller settles."""
    given_up = []
    now = utcnow()
    for job in session.exec(select(Job).where(Job.id.in_(job_ids), Job.status == "running")).all():
        out_of_attempts = job.attempts >= job.max_attempts
        error = f"{reason} during attempt {job.attempts} of {job.max_attempts}"
        values = ({"status": "failed", "finished_at": now} if out_of_attempts else {"status": "queued", "run_at": now})
        holder = Job.locked_by.is_(None) if job.locked_by is None else Job.locked_by == job.locked_by
        changed = session.execute(update(Job).where(Job.id == job.id, Job.status == "running", holder)
                                  .values(locked_by=None, locked_until=None, last_error=error, **values))
        if changed.rowcount == 1 and out_of_attempts:
            session.refresh(job)
            given_up.append(job)
    return given_up
