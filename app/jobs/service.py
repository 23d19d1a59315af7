"""Listing and retrying background work: for an account through the API, for the operator through the CLI."""

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.common import utcnow
from app.errors import Conflict
from app.jobs.models import Job
from app.jobs.repository import JobRepository


class JobNotFailed(Conflict):
    detail = "Only a failed job can be retried"


def list_jobs(session: Session, account_id: str, *, status: str | None, kind: str | None, limit: int,
              offset: int) -> tuple[list[Job], int]:
    return JobRepository(session, account_id).page(status=status, kind=kind, limit=limit, offset=offset)


def requeue(session: Session, job_ids: list[int]) -> int:
    """Run failed jobs again from a fresh set of attempts; returns how many were re-queued."""
    result = session.execute(update(Job).where(col(Job.id).in_(job_ids), Job.status == "failed")
                             .values(status="queued", attempts=0, run_at=utcnow(), finished_at=None))
    return result.rowcount


def retry_job(session: Session, account_id: str, job_id: int) -> Job:
    job = JobRepository(session, account_id).get_or_404(job_id)
    if job.status != "failed":
        raise JobNotFailed(f"Job {job_id} is {job.status}; only a failed job can be retried")
    requeue(session, [job_id])
    session.refresh(job)
    return job


def operator_list(session: Session, *, status: str | None, lane: str | None, limit: int) -> list[Job]:
    statement = select(Job)
    if status:
        statement = statement.where(Job.status == status)
    if lane:
        statement = statement.where(Job.lane == lane)
    return list(session.exec(statement.order_by(col(Job.id).desc()).limit(limit)))


def failed_job_ids(session: Session) -> list[int]:
    return list(session.exec(select(Job.id).where(Job.status == "failed")).all())
