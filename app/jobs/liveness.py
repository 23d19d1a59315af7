"""Worker processes prove they are alive with a heartbeat; the jobs of one that is gone are taken back at once.

"Gone" is decided without waiting where possible: a worker row on this host whose process no longer exists (or
is this process's previous life, e.g. a restarted container) is dead now. On other hosts, a job is taken back when
its lease (renewed by every heartbeat) runs out.
"""

import logging
import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import or_, update
from sqlmodel import Session, select

from app.common import utcnow
from app.db import unit_of_work
from app.jobs.claiming import LEASE, release_interrupted
from app.jobs.models import Job, WorkerProcess
from app.jobs.registry import HANDLERS
from app.state import Services

logger = logging.getLogger("replybase.worker")
HEARTBEAT = timedelta(seconds=10)
# A worker silent for this long is taken for dead (six missed heartbeats).
DEAD_AFTER = timedelta(seconds=60)
INTERRUPTED = "the worker running it stopped (crashed or was killed)"


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child that its parent has not reaped yet is a zombie: gone all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def register_worker(services: Services, lanes: dict[str, int]) -> str:
    hostname, pid = socket.gethostname(), os.getpid()
    worker_id = f"{hostname[:40]}:{pid}:{secrets.token_hex(4)}"
    with unit_of_work(services.session_factory) as session:
        session.add(WorkerProcess(id=worker_id, hostname=hostname, pid=pid, lanes=lanes))
    return worker_id


def mark_stopped(services: Services, worker_id: str) -> None:
    with unit_of_work(services.session_factory) as session:
        session.execute(update(WorkerProcess).where(WorkerProcess.id == worker_id).values(stopped_at=utcnow()))


def heartbeat(services: Services, worker_id: str) -> None:
    """Prove this worker alive and renew the lease of every job it runs."""
    now = utcnow()
    with unit_of_work(services.session_factory) as session:
        session.execute(update(WorkerProcess).where(WorkerProcess.id == worker_id).values(heartbeat_at=now))
        session.execute(update(Job).where(Job.locked_by == worker_id, Job.status == "running")
                        .values(locked_until=now + LEASE))


def _dead_workers(session: Session, my_worker_id: str | None) -> list[str]:
    hostname, now = socket.gethostname(), utcnow()
    dead = []
    for worker in session.exec(select(WorkerProcess).where(WorkerProcess.id != (my_worker_id or ""))):
        if worker.stopped_at is not None or worker.heartbeat_at < now - DEAD_AFTER:
            dead.append(worker.id)
        elif worker.hostname == hostname and (worker.pid == os.getpid() or not _process_exists(worker.pid)):
            dead.append(worker.id)
    return dead


def reap(services: Services, my_worker_id: str | None = None) -> int:
    """Take back the jobs of dead workers and expired leases; returns how many were taken back."""
    now = utcnow()
    with unit_of_work(services.session_factory) as session:
        dead = _dead_workers(session, my_worker_id)
        orphans = list(session.exec(select(Job.id).where(
            Job.status == "running", or_(Job.locked_by.in_(dead), Job.locked_until < now))).all())
        given_up = release_interrupted(session, orphans, INTERRUPTED) if orphans else []
        if dead:  # forget workers long gone, keep recently dead ones visible for a day
            session.execute(update(WorkerProcess).where(WorkerProcess.id.in_(dead),
                                                        WorkerProcess.stopped_at.is_(None))
                            .values(stopped_at=now))
    for job in given_up:
        settle_given_up(services, job)
    if orphans:
        logger.warning("took back %d interrupted jobs (%d out of attempts)", len(orphans), len(given_up))
    return len(orphans)


def settle_given_up(services: Services, job: Job) -> None:
    """Let the job's domain settle what the job was for (a document ends failed, ...)."""
    spec = HANDLERS.get(job.kind)
    if spec is not None and spec.on_give_up is not None:
        try:
            spec.on_give_up(services, job.payload, job.last_error or "failed")
        except Exception:
            logger.exception("settling given-up job %s (%s) failed", job.id, job.kind)


def live_lanes(session: Session) -> set[str]:
    """Lanes that at least one live worker serves."""
    cutoff = utcnow() - DEAD_AFTER
    lanes: set[str] = set()
    for worker_lanes in session.exec(select(WorkerProcess.lanes).where(WorkerProcess.stopped_at.is_(None),
                                                                       WorkerProcess.heartbeat_at >= cutoff)):
        lanes |= {lane for lane, slots in worker_lanes.items() if slots > 0}
    return lanes
