"""API throughput on real processes: requests/s and p50/p99 latency of an authenticated read, of /healthz and of
a bare FastAPI route, each measured in the same run, on SQLite and PostgreSQL, with one and two API processes.

The load comes from another process: wrk (Debian's `wrk` package) when it is installed, else an aiohttp client in
a process of its own (`--client aiohttp` forces it). The bare route's figure is the proof that the client is not the
bottleneck: every other row is a fraction of it.

    python bench/api_throughput.py                  # 10 s per route, 20 connections, SQLite and PostgreSQL
    python bench/api_throughput.py --duration 5 --databases sqlite
    python bench/api_throughput.py --checkout ../main   # another worktree's service, same harness

Beside requests/s, each row shows the server processes' CPU time per request (from /proc), which other programs on
a shared machine disturb much less than requests/s, and the bare route's CPU per request divided by it.

For each database, the same bare app also reads three rows through SQLAlchemy Core (bench/bare_app.py), once from a
sync route and once with an asyncio driver: the floor of any route that reads the database at all, with no
authentication, ORM or response model, so that the authenticated read can be judged against what is reachable.

The authenticated read is `GET /api/v2/sessions` (three sandbox sessions) with an API key of an account on the
self-hosted plan, whose budget (1,000,000 requests an hour) stays out of the way. The service runs with the hash
embedder (the model plays no part in these routes and would only slow each start) and without background workers
(REPLYBASE_RUN_WORKERS=false, the API machines of a split deployment). Two processes need Redis (--redis-url,
default $REPLYBASE_TEST_REDIS_URL); one process is measured with budgets in memory and, when Redis is given, in
Redis. PostgreSQL: --postgres-url (default $REPLYBASE_BENCH_DATABASE_URL or $REPLYBASE_TEST_DATABASE_URL); the
bench creates and drops its own database `<that database>_throughput`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import bare_app
import common  # noqa: F401 - puts the repository on sys.path
import httpx
from common import format_table

from tests.processes import (API, REPO_ROOT, Deployment, ServiceProcess, create_sandbox_session,
                             drop_postgres_database, free_port, fresh_postgres_database)

BENCH_DIR = Path(__file__).resolve().parent
# The service settings of every run: see the module docstring for why.
SERVICE_ENV = {"REPLYBASE_EMBEDDING_PROVIDER": "hash"}
SESSIONS = 3


@dataclass
class Load:
    """One measurement: what the client saw in `seconds`."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx answers and failed connections
    cpu_seconds: float = 0.0  # the server processes' CPU time during the run

    @property
    def cpu_us_per_request(self) -> float:
        """Robust where requests/s is not: other programs on the machine take CPU away, not add it per request."""
        return self.cpu_seconds / self.requests * 1e6 if self.requests else 0.0

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- the load generators ---------------------------------------------------------------------------------------

_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _WRK_UNITS[unit]


def run_wrk(url: str, headers: dict[str, str], args) -> Load:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--latency",
               "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True,
                            timeout=args.duration + 60).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s)", output)
    seconds = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors
                                                          else 0)
    return Load(int(done.group(1)), seconds, _wrk_ms(_percentile(output, 50)), _wrk_ms(_percentile(output, 99)),
                errors)


def _percentile(wrk_output: str, share: int) -> str:
    """A line of wrk's "Latency Distribution" (not the "+/- Stdev" column, which also ends in %)."""
    return re.search(rf"^\s+{share}%\s+(\S+)$", wrk_output, flags=re.MULTILINE).group(1)


async def _aiohttp_load(url: str, headers: dict[str, str], connections: int, duration: float) -> dict:
    import aiohttp

    latencies: list[float] = []
    errors = 0

    async def connection(client: aiohttp.ClientSession, stop: float) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                async with client.get(url, headers=headers) as response:
                    await response.read()
                    errors += response.status >= 300
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(connection(client, started + duration) for _ in range(connections)))
        seconds = time.perf_counter() - started
    latencies.sort()
    at = lambda share: latencies[min(len(latencies) - 1, round(share * (len(latencies) - 1)))] * 1000  # noqa: E731
    return {"requests": len(latencies), "seconds": seconds, "p50_ms": at(.5), "p99_ms": at(.99), "errors": errors}


def run_aiohttp(url: str, headers: dict[str, str], args) -> Load:
    """The aiohttp client in a process of its own (this script with --load), so it never shares the server's."""
    command = [sys.executable, __file__, "--load", url, "--connections", str(args.connections),
               "--duration", str(args.duration), "--headers", json.dumps(headers)]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=args.duration + 60).stdout
    return Load(**json.loads(output.strip().splitlines()[-1]))


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and its children (uvicorn's workers), from /proc."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(cpu_seconds(int(child)) for child in children)


def measure(url: str, headers: dict[str, str], args, pid: int) -> Load:
    """A short warm-up (connections, caches), then the measured run."""
    run = run_wrk if args.client == "wrk" else run_aiohttp
    answer = httpx.get(url, headers=headers, timeout=10)
    if answer.status_code != 200:
        raise SystemExit(f"GET {url} answered {answer.status_code}: {answer.text[:300]}")
    warm = argparse.Namespace(**{**vars(args), "duration": 2})
    run(url, headers, warm)
    before = cpu_seconds(pid)
    load = run(url, headers, args)
    load.cpu_seconds = cpu_seconds(pid) - before
    return load


# --- the processes ---------------------------------------------------------------------------------------------

def bare_server(workers: int, database_url: str = "") -> tuple[subprocess.Popen, str]:
    """bench/bare_app.py under uvicorn with `workers` processes (uvloop and httptools, as the service has); with a
    database, its read routes read from it."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(BENCH_DIR),
                               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                               "--log-level", "warning", "--no-access-log"],
                              env={**os.environ, "BARE_DATABASE_URL": database_url})
    url = f"http://127.0.0.1:{port}/bare"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the bare app did not start")


def measure_bare(workers: int, args) -> Load:
    server, url = bare_server(workers)
    try:
        return measure(url, {}, args, server.pid)
    finally:
        server.terminate()
        server.wait(20)


def measure_floor(label: str, database_url: str, args, bare: Load) -> list[list]:
    """The least a route that reads three rows costs, with no authentication, ORM or response model: what an
    authenticated read can approach at best. Sync (the thread pool, as our endpoints) and async (asyncio driver)."""
    bare_app.create_rows(database_url)
    server, url = bare_server(1, database_url)
    rows = []
    try:
        for path, how in (("/read", "sync, thread pool"), ("/read-async", "async, " + (
                "aiosqlite" if database_url.startswith("sqlite") else "asyncpg"))):
            load = measure(url.replace("/bare", path), {}, args, server.pid)
            rows.append(_row(f"bare FastAPI + one read, {label}, 1 process", f"GET {path} (SQLAlchemy Core, {how})",
                             load, bare))
            print(f"  {rows[-1]}", flush=True)
    finally:
        server.terminate()
        server.wait(20)
    return rows


def measure_service(label: str, deployment: Deployment, workers: int, redis_url: str, account, args,
                    bare: Load) -> list[list]:
    serve_args = ("--workers", str(workers)) if workers > 1 else ()
    api = deployment.start_api(f"api-{workers}-{'redis' if redis_url else 'memory'}", serve_args=serve_args,
                               env={"REPLYBASE_REDIS_URL": redis_url}, ready_timeout=300)
    rows = []
    try:
        for route, url, headers in (("/healthz", f"{api.base_url}/healthz", {}),
                                    ("GET /api/v2/sessions (API key)", f"{api.base_url}{API}/sessions",
                                     account.headers)):
            load = measure(url, headers, args, api.pid)
            rows.append(_row(f"{label}, {workers} process{'es' if workers > 1 else ''}, "
                             f"budgets in {'Redis' if redis_url else 'memory'}", route, load, bare))
            print(f"  {rows[-1]}", flush=True)
    finally:
        api.stop()
    return rows


def _row(setup: str, route: str, load: Load, bare: Load) -> list:
    return [setup, route, f"{load.per_second:,.0f}", f"{load.p50_ms:.2f}", f"{load.p99_ms:.2f}",
            f"{load.per_second / bare.per_second:.2f}x", f"{load.cpu_us_per_request:,.0f}",
            f"{bare.cpu_us_per_request / load.cpu_us_per_request:.2f}x" if load.cpu_seconds else "-", load.errors]


def prepare(deployment: Deployment):
    """An account on the self-hosted plan with three sandbox sessions, through a short-lived API process."""
    api = deployment.start_api("setup", ready_timeout=300)
    try:
        account = deployment.create_account(plan="self-hosted")
        with api.client() as client:
            for number in range(SESSIONS):
                create_sandbox_session(client, account, f"Shop {number + 1}")
    finally:
        api.stop()
    return account


def run_database(label: str, database_url: str, args, bare: dict[int, Load]) -> list[list]:
    with tempfile.TemporaryDirectory(prefix=f"throughput-{label}-") as root, \
            Deployment(Path(root), database_url=database_url, env=SERVICE_ENV, checkout=args.checkout) as deployment:
        account = prepare(deployment)
        floor_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1) if database_url \
            else f"sqlite:///{Path(root) / 'bare_rows.db'}"
        rows = measure_floor(label, floor_url, args, bare[1])
        setups = [(1, "")] + ([(1, args.redis_url), (2, args.redis_url)] if args.redis_url else [])
        for workers, redis_url in setups:
            rows += measure_service(label, deployment, workers, redis_url, account, args, bare[workers])
        return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured route")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--client", choices=["wrk", "aiohttp"], default="wrk" if shutil.which("wrk") else "aiohttp")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("REPLYBASE_BENCH_DATABASE_URL")
                        or os.environ.get("REPLYBASE_TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REPLYBASE_TEST_REDIS_URL", ""))
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT)
    parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: be the aiohttp client process
    parser.add_argument("--headers", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        result = asyncio.run(_aiohttp_load(args.load, json.loads(args.headers), args.connections, args.duration))
        print(json.dumps(result))
        return
    args.duration = int(args.duration) if args.client == "wrk" else args.duration
    print(f"client: {args.client}, {args.connections} connections, {args.duration} s per route; "
          f"checkout {args.checkout.resolve()}", flush=True)
    process_counts = [1, 2] if args.redis_url else [1]
    bare = {workers: measure_bare(workers, args) for workers in process_counts}
    rows = [_row(f"bare FastAPI, {workers} process{'es' if workers > 1 else ''}", "GET /bare (async, returns [])",
                 load, load) for workers, load in bare.items()]
    for row in rows:
        print(f"  {row}", flush=True)
    for label in args.databases:
        if label == "sqlite":
            rows += run_database("SQLite", "", args, bare)
        elif not args.postgres_url:
            print("  PostgreSQL skipped: set --postgres-url or REPLYBASE_TEST_DATABASE_URL", flush=True)
        else:
            name = args.postgres_url.rsplit("/", 1)[-1].split("?")[0] + "_throughput"
            url = fresh_postgres_database(args.postgres_url, name)
            try:
                rows += run_database("PostgreSQL", url, args, bare)
            finally:
                drop_postgres_database(url)
    print()
    print(format_table(["setup", "route", "requests/s", "p50 ms", "p99 ms", "vs bare route", "server CPU µs/request",
                        "bare CPU / this CPU", "errors"], rows))


if __name__ == "__main__":
    main()
