"""Retention: finished work older than its setting is deleted, in small batches so no lock is held for long."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import select

from app.common import utcnow
from app.db import unit_of_work
from app.jobs.models import Job
from app.jobs.registry import OUTREACH, periodic_task
from app.state import Services

PURGE_BATCH = 1000
PURGE_EVERY_SECONDS = 3600.0


def purge_older_than(services: Services, model, timestamp_column, days: float, *conditions) -> int:
    """Delete rows of `model` whose `timestamp_column` is older than `days` (0 keeps everything)."""
    if days <= 0:
        return 0
    cutoff = utcnow() - timedelta(days=days)
    purged = 0
    while True:
        with unit_of_work(services.session_factory) as session:
            ids = session.exec(select(model.id).where(timestamp_column < cutoff, *conditions)
                               .limit(PURGE_BATCH)).all()
            if ids:
                session.execute(delete(model).where(model.id.in_(ids)))
        purged += len(ids)
        if len(ids) < PURGE_BATCH:
            return purged


def purge_finished_jobs(services: Services, days: float | None = None) -> int:
    days = services.settings.job_retention_days if days is None else days
    return purge_older_than(services, Job, Job.finished_at, days, Job.status.in_(("done", "failed")))


@periodic_task("jobs.purge_finished", lane=OUTREACH, every_seconds=PURGE_EVERY_SECONDS)
def purge_finished_jobs_task(services: Services) -> int:
    return purge_finished_jobs(services)
