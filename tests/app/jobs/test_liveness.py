"""A worker that dies: its jobs run again at once, a crash counts as an attempt, and a job out of attempts settles
what it was for."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlmodel import select

from app.common import utcnow
from app.jobs import liveness
from app.jobs.models import Job, WorkerProcess
from app.jobs.queue import enqueue
from app.kb.models import Document


def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def crashed_worker(db, *, pid: int | None = None, heartbeat_age: timedelta = timedelta(0)) -> str:
    worker = WorkerProcess(id=f"crashed-{os.urandom(4).hex()}", hostname=socket.gethostname(),
                           pid=pid or dead_pid(), lanes={"replies": 1, "outreach": 1, "ingest": 1},
                           heartbeat_at=utcnow() - heartbeat_age)
    db.add(worker)
    db.flush()
    return worker.id


def running_job(db, worker_id: str, kind: str, payload: dict, *, attempts: int, account_id=None) -> Job:
    job = enqueue(db, kind, payload, account_id=account_id)
    job.status, job.attempts, job.locked_by = "running", attempts, worker_id
    job.locked_until = utcnow() + timedelta(minutes=5)  # a lease that would otherwise hold for minutes
    db.add(job)
    db.commit()
    return job


def test_the_job_of_a_worker_that_died_on_this_host_runs_again_at_once(db, services):
    job = running_job(db, crashed_worker(db), "webhooks.deliver", {"delivery_id": "gone"}, attempts=1)
    assert liveness.reap(services) == 1
    db.refresh(job)
    assert (job.status, job.attempts, job.locked_by) == ("queued", 1, None)
    assert "crashed or was killed" in job.last_error
    assert job.run_at <= utcnow()


def test_a_live_worker_keeps_its_jobs(db, services):
    job = running_job(db, crashed_worker(db, pid=os.getppid()), "webhooks.deliver", {"delivery_id": "x"},
                      attempts=1)
    assert liveness.reap(services) == 0
    db.refresh(job)
    assert job.status == "running"


def test_a_silent_worker_on_another_host_loses_its_jobs_after_missed_heartbeats(db, services):
    worker_id = crashed_worker(db, pid=os.getppid(), heartbeat_age=liveness.DEAD_AFTER + timedelta(seconds=1))
    db.exec(select(WorkerProcess).where(WorkerProcess.id == worker_id)).one().hostname = "elsewhere"
    job = running_job(db, worker_id, "webhooks.deliver", {"delivery_id": "x"}, attempts=1)
    assert liveness.reap(services) == 1
    db.refresh(job)
    assert job.status == "queued"


def test_a_job_that_crashes_its_worker_every_time_ends_failed_and_its_document_too(db, services, tenant):
    document = Document(account_id=tenant.account_id, title="poison.pdf", status="processing",
                        content_type="application/pdf", size_bytes=1, content_hash="h" * 64)
    db.add(document)
    db.flush()
    job = running_job(db, crashed_worker(db), "kb.ingest", {"document_id": document.id}, attempts=3,
                      account_id=tenant.account_id)
    assert job.max_attempts == 3
    liveness.reap(services)
    db.refresh(job)
    db.refresh(document)
    assert job.status == "failed" and "attempt 3 of 3" in job.last_error
    assert document.status == "failed" and "crashed or was killed" in document.error
