"""The worker: slot threads per lane claim and run due jobs; a heartbeat thread proves the process alive; a
periodic thread runs registered periodic tasks. Inside the API process or as `replybase worker`."""

import logging
import os
import threading
import time
import traceback
from contextlib import nullcontext
from datetime import datetime

from app.common import utcnow
from app.db import unit_of_work
from app.jobs import liveness
from app.jobs.claiming import claim_next, next_due_at, settle
from app.jobs.priority import INGEST_NICENESS
from app.jobs.registry import HANDLERS, INGEST, LANES, PERIODIC, REPLIES, JobContext
from app.logs import job_log_context
from app.metrics import observe_job
from app.state import Services

logger = logging.getLogger("replybase.worker")


class JobWakeup:
    """Process-local signal: a job committed here wakes its lane's idle slots at once."""

    def __init__(self) -> None:
        self._events = {lane: threading.Event() for lane in LANES}

    def notify(self, lanes) -> None:
        for lane in lanes:
            if lane in self._events:
                self._events[lane].set()

    def wait(self, lane: str, timeout: float) -> None:
        if self._events[lane].wait(timeout):
            self._events[lane].clear()


def run_one(services: Services, lane: str, worker_id: str) -> bool:
    """Claim and run one due job of `lane`; False when none is due."""
    with unit_of_work(services.session_factory) as session:
        job = claim_next(session, lane, worker_id)
    if job is None:
        return False
    with job_log_context(job.id):
        spec = HANDLERS.get(job.kind)
        started, error = time.perf_counter(), None
        if spec is None:
            error = f"no handler registered for job kind {job.kind!r}"
        else:
            with services.session_factory() as session, _priority(services, job.lane):
                try:
                    spec.handler(JobContext(session, services, job.attempts), job.payload)
                    session.commit()
                except Exception as exc:  # a failing job must not kill the worker
                    session.rollback()
                    logger.warning("job %s (%s) attempt %s failed: %s", job.id, job.kind, job.attempts, exc)
                    error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        observe_job(job.kind, job.lane, time.perf_counter() - started, ok=error is None)
        with unit_of_work(services.session_factory) as session:
            outcome = settle(session, job.id, worker_id, error)
        if outcome is not None and outcome[1]:
            liveness.settle_given_up(services, outcome[0])
    return True


def _priority(services: Services, lane: str):
    return services.reply_priority.running() if lane == REPLIES else nullcontext()


def run_periodic(services: Services) -> int:
    done = 0
    for name, spec in PERIODIC.items():
        try:
            done += spec.task(services)
        except Exception:
            logger.exception("periodic task %s failed", name)
    return done


def drain(services: Services, max_jobs: int = 1000) -> int:
    """Run periodic tasks and every due job of every lane until none is left (tests, one-off runs)."""
    worker_id = "drain"
    ran = 0
    run_periodic(services)
    progress = True
    while progress and ran < max_jobs:
        progress = False
        for lane in LANES:
            while ran < max_jobs and run_one(services, lane, worker_id):
                ran, progress = ran + 1, True
    return ran


def _seconds_until(moment: datetime | None, cap: float) -> float:
    if moment is None:
        return cap
    return min(cap, max(0.0, (moment - utcnow()).total_seconds()))


class Worker:
    """Runs background work in threads: `slots[lane]` job slots per lane, a heartbeat and periodic tasks."""

    def __init__(self, services: Services, slots: dict[str, int] | None = None) -> None:
        self.services = services
        self.slots = {lane: n for lane, n in (slots or services.settings.worker_slots).items() if n > 0}
        self.wakeup: JobWakeup = services.job_wakeup or JobWakeup()
        self.worker_id: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _slot_loop(self, lane: str) -> None:
        if lane == INGEST and hasattr(os, "setpriority"):
            # Linux schedules threads one by one: the ingestion slot's own work (parsing, chunking) runs niced, so
            # on a busy machine the scheduler lets replies and requests go first.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), INGEST_NICENESS)
        poll = self.services.settings.worker_poll_seconds
        requests = self.services.request_priority
        pause_free_until = 0.0
        while not self._stop.is_set():
            try:
                # Acknowledge a burst of calls before working on it; under steady load, half the time each.
                if time.monotonic() >= pause_free_until and not requests.give_way():
                    pause_free_until = time.monotonic() + requests.max_pause_seconds
                if run_one(self.services, lane, self.worker_id):
                    continue
                with unit_of_work(self.services.session_factory, read_only=True) as session:
                    due = next_due_at(session, lane)
                self.wakeup.wait(lane, _seconds_until(due, poll))
            except Exception:
                logger.exception("worker slot (%s) error; retrying", lane)
                self._stop.wait(5)

    def _heartbeat_loop(self) -> None:
        while not self._stop.wait(liveness.HEARTBEAT.total_seconds()):
            try:
                liveness.heartbeat(self.services, self.worker_id)
                liveness.reap(self.services, self.worker_id)
            except Exception:
                logger.exception("worker heartbeat failed; retrying")

    def _periodic_loop(self) -> None:
        last_run: dict[str, float] = {}
        while not self._stop.wait(self.services.settings.worker_poll_seconds):
            for name, spec in PERIODIC.items():
                if spec.lane not in self.slots or time.monotonic() - last_run.get(name, 0) < spec.every_seconds:
                    continue
                last_run[name] = time.monotonic()
                try:
                    spec.task(self.services)
                except Exception:
                    logger.exception("periodic task %s failed", name)

    def start(self) -> None:
        self.worker_id = liveness.register_worker(self.services, self.slots)
        liveness.reap(self.services, self.worker_id)  # a crash's leftovers run again now, not after a lease
        targets = [(self._slot_loop, (lane,), f"replybase-{lane}-{n}")
                   for lane, count in self.slots.items() for n in range(count)]
        targets += [(self._heartbeat_loop, (), "replybase-heartbeat"), (self._periodic_loop, (), "replybase-periodic")]
        for target, args, name in targets:
            thread = threading.Thread(target=target, args=args, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        logger.info("worker %s started: %s", self.worker_id,
                    ", ".join(f"{lane} x{count}" for lane, count in self.slots.items()))

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stop.wait(1.0):
                pass
        finally:
            self.stop()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.wakeup.notify(LANES)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        if self.worker_id is not None:
            liveness.mark_stopped(self.services, self.worker_id)
