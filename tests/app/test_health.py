"""/readyz names what is down; a Redis outage is a 503 there but never a 500 for API calls."""

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from sqlalchemy import create_engine

import app.ratelimit as ratelimit
from app.common import utcnow
from app.jobs.liveness import DEAD_AFTER
from app.jobs.models import WorkerProcess
from app.jobs.registry import LANES
from app.ratelimit import AccountRateLimiter


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def live_worker(db):
    """A worker process serving every lane, with a fresh heartbeat (as `replybase worker` registers itself)."""
    db.add(WorkerProcess(id="worker-1", hostname="elsewhere", pid=1, lanes={lane: 1 for lane in LANES}))
    db.commit()


@pytest.fixture
def redis_down(services, live_worker):
    """REPLYBASE_REDIS_URL pointing at a closed port on this machine."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    services.settings.redis_url = url
    services.rate_limiter = AccountRateLimiter(url, services.settings.rate_limit_window_seconds)
    return url


def test_ready_lists_every_check(client, services, live_worker):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "redis": "not configured", "workers": "ok"}


def test_without_live_workers_an_api_only_process_stays_ready_and_says_what_to_run(client, db):
    db.add(WorkerProcess(id="ingest-only", hostname="elsewhere", pid=1, lanes={"ingest": 1}))
    db.add(WorkerProcess(id="gone", hostname="elsewhere", pid=2, lanes={"replies": 1, "outreach": 1},
                         heartbeat_at=utcnow() - DEAD_AFTER - timedelta(seconds=1)))
    db.commit()
    response = client.get("/readyz")  # this app runs no worker of its own (REPLYBASE_RUN_WORKERS=false)
    assert response.status_code == 200
    assert response.json()["workers"].startswith("no live worker serves the replies, outreach lanes")
    assert "replybase worker" in response.json()["workers"]


def test_a_process_whose_own_workers_are_not_alive_is_not_ready(client, services):
    services.settings.run_workers = True  # as `replybase serve` by default, whose worker failed to register
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("Not ready: workers no live worker serves")


def test_redis_down_is_not_ready_and_names_redis(client, redis_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": "Not ready: redis unreachable"}


def test_database_down_is_not_ready_and_names_the_database(client, services, live_worker):
    services.engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"detail": "Not ready: database unreachable"}


def test_redis_down_api_calls_count_in_memory_with_a_warning(client, services, tenant, redis_down, caplog):
    services.settings.rate_limit_free = 2
    caplog.set_level(logging.WARNING, logger="replybase.ratelimit")
    first = client.get("/api/v2/sessions", headers=tenant.headers)
    assert first.status_code == 200, first.text
    assert first.headers["X-RateLimit-Remaining"] == "1"
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 200
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 429  # the budget still holds
    [warning] = [r for r in caplog.records if r.name == "replybase.ratelimit"]
    assert "rate limit storage unreachable" in warning.getMessage()


@pytest.fixture
def redis_server():
    """A redis-server of our own on a free port, to stop and start again."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    processes = []

    def start():
        process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], stdout=subprocess.DEVNULL)
        processes.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    start()
    yield f"redis://127.0.0.1:{port}/0", start, processes
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_budgets_go_back_to_redis_when_it_answers_again(redis_server, monkeypatch, caplog):
    url, start, processes = redis_server
    monkeypatch.setattr(ratelimit, "RETRY_CAP_SECONDS", 0.05)  # try Redis again after 50 ms, not 1 to 32 s
    caplog.set_level(logging.INFO, logger="replybase.ratelimit")
    replica, other_replica = AccountRateLimiter(url, 3600), AccountRateLimiter(url, 3600)
    assert replica.hit("acct", 10).remaining == 9

    processes[-1].terminate()
    processes[-1].wait(timeout=10)
    assert not replica.check_storage()
    assert replica.hit("acct", 10).remaining == 9  # counted in memory: a fresh budget on this replica

    start()
    time.sleep(0.1)
    assert replica.hit("acct", 10).remaining == 9  # back on Redis (the restarted server starts empty)
    assert other_replica.used("acct", 10) == 1  # ...and shared with the other replica again
    went, came_back = (r.getMessage() for r in caplog.records)
    assert went.startswith("rate limit storage unreachable") and came_back.startswith("rate limit storage answers")
