"""The worker: claims due jobs atomically, runs them, retries with exponential backoff and jitter."""

import logging
import random
import threading
import traceback
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import select

from app.common import utcnow
from app.jobs.models import Job
from app.jobs.registry import HANDLERS, PERIODIC, JobContext
from app.state import Services

logger = logging.getLogger("replybase.worker")
# A claimed job whose worker died is picked up again after this lease.
LEASE = timedelta(minutes=5)


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff: uniform in [0.5, 1] x min(cap, base * 2**(attempt-1))."""
    ceiling = min(cap, base * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)


def _claim_next(services: Services) -> Job | None:
    now = utcnow()
    with services.session_factory() as session:
        candidates = session.exec(
            select(Job.id).where(
                or_(Job.status == "queued", (Job.status == "running") & (Job.locked_until < now)),
                Job.run_at <= now,
            ).order_by(Job.run_at, Job.id).limit(5)
        ).all()
        for job_id in candidates:
            # Compare-and-set: of several workers racing for a row, exactly one updates it.
            claimed = session.execute(
                update(Job).where(Job.id == job_id,
                                  or_(Job.status == "queued", (Job.status == "running") & (Job.locked_until < now)))
                .values(status="running", locked_until=now + LEASE, attempts=Job.attempts + 1)
            )
            if claimed.rowcount == 1:
                session.commit()
                return session.get(Job, job_id)
        session.rollback()
    return None


def _finish(services: Services, job_id: int, error: str | None) -> None:
    with services.session_factory() as session:
        job = session.get(Job, job_id)
        spec = HANDLERS.get(job.kind)
        if error is None:
            job.status, job.finished_at, job.last_error = "done", utcnow(), None
        elif spec is None or job.attempts >= job.max_attempts:
            job.status, job.finished_at, job.last_error = "failed", utcnow(), error
        else:
            delay = backoff_seconds(job.attempts, spec.base_delay_seconds, spec.max_delay_seconds)
            job.status, job.run_at, job.last_error = "queued", utcnow() + timedelta(seconds=delay), error
        job.locked_until = None
        session.add(job)
        session.commit()


def run_one(services: Services) -> bool:
    """Claim and run one due job; False when none is due."""
    job = _claim_next(services)
    if job is None:
        return False
    spec = HANDLERS.get(job.kind)
    error = None
    if spec is None:
        error = f"no handler registered for job kind {job.kind!r}"
    else:
        with services.session_factory() as session:
            try:
                spec.handler(JobContext(session, services, job.attempts), job.payload)
                session.commit()
            except Exception as exc:  # a failing job must not kill the worker
                session.rollback()
                logger.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
                error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
    _finish(services, job.id, error)
    return True


def run_periodic(services: Services) -> int:
    done = 0
    for name, task in PERIODIC.items():
        try:
            done += task(services)
        except Exception:
            logger.exception("periodic task %s failed", name)
    return done


def drain(services: Services, max_jobs: int = 1000) -> int:
    """Run periodic tasks and every due job until none is left; returns how many jobs ran."""
    ran = 0
    run_periodic(services)
    while ran < max_jobs and run_one(services):
        ran += 1
    return ran


class Worker:
    """Polls for due work in a background thread (inside the API) or the foreground (`replybase worker`)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                if drain(self.services, max_jobs=50) == 0:
                    self._stop.wait(self.services.settings.worker_poll_seconds)
            except Exception:
                logger.exception("worker loop error; retrying")
                self._stop.wait(5)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="replybase-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
