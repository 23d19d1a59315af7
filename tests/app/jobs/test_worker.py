"""The worker's lanes: slow work in one lane never delays another; a job committed in-process starts at once."""

import threading
import time

import pytest
from sqlmodel import Session, delete

from app.bootstrap import build_services
from app.config import Settings
from app.jobs import registry
from app.jobs.models import Job, WorkerProcess
from app.jobs.queue import enqueue
from app.jobs.worker import Worker


@pytest.fixture
def committed_services(tmp_path, database_url, engine):  # `engine` has migrated the database
    """Services on real connections (worker threads need their own), cleaned up afterwards."""
    services = build_services(Settings(_env_file=None, data_dir=tmp_path, database_url=database_url,
                                       run_workers=False, embedding_provider="hash", worker_poll_seconds=5.0),
                              migrate=False)
    yield services
    with Session(services.engine) as session:
        session.exec(delete(Job).where(Job.kind.startswith("test.")))
        session.exec(delete(WorkerProcess))
        session.commit()
    services.engine.dispose()


@pytest.fixture
def test_handlers(monkeypatch):
    """A slow ingestion-lane job that holds its slot until released, and a quick replies-lane job."""
    release, finished = threading.Event(), {}

    def slow(ctx, payload):
        release.wait(30)
        finished["slow"] = time.monotonic()

    def quick(ctx, payload):
        finished["quick"] = time.monotonic()

    monkeypatch.setitem(registry.HANDLERS, "test.slow",
                        registry.HandlerSpec(slow, registry.INGEST, 1, 1.0, 1.0))
    monkeypatch.setitem(registry.HANDLERS, "test.quick",
                        registry.HandlerSpec(quick, registry.REPLIES, 1, 1.0, 1.0))
    monkeypatch.setattr(registry, "PERIODIC", {})
    yield release, finished
    release.set()


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_reply_runs_while_ingestion_holds_its_lane(committed_services, test_handlers):
    release, finished = test_handlers
    worker = Worker(committed_services, slots={"replies": 1, "ingest": 1})
    worker.start()
    try:
        with committed_services.session_factory() as session:
            enqueue(session, "test.slow", {})
            session.commit()
        time.sleep(0.3)  # the slow job is now running in the ingest lane
        enqueued_at = time.monotonic()
        with committed_services.session_factory() as session:
            enqueue(session, "test.quick", {})
            session.commit()
        assert wait_for(lambda: "quick" in finished), "the reply waited behind ingestion"
        assert "slow" not in finished
        # Woken by the commit, not by the next poll (the poll interval here is 5 s).
        assert finished["quick"] - enqueued_at < 2.0
    finally:
        release.set()
        worker.stop()
    with Session(committed_services.engine) as session:
        statuses = {job.kind: job.status for job in session.exec(
            Job.__table__.select().where(Job.kind.startswith("test.")))}
        stopped = session.get(WorkerProcess, worker.worker_id)
    assert statuses == {"test.slow": "done", "test.quick": "done"}
    assert stopped.stopped_at is not None  # a clean stop says so: its jobs are not waited for
