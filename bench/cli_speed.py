"""Seconds per `replybase kb search` call, beside `replybase --help` (Python, typer and our imports) in the same run:
answered by a running service, and in the CLI's own process (`--local`, which loads the model).

    python bench/cli_speed.py               # 5 calls each (3 local), SQLite, the bundled model
    python bench/cli_speed.py --calls 10
    python bench/cli_speed.py --postgres-url postgresql://postgres@127.0.0.1:5432/test   # on PostgreSQL

The service (`replybase serve` with its worker, on 127.0.0.1) ingests the Velo Verde FAQ first; every call is a new
process, as a shell user's would be. Besides wall time, the CPU time each call's process used (user + system, from
os.times()), which moves less than wall time when other work shares the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
from common import format_table

from tests.processes import (REPLYBASE, REPO_ROOT, Deployment, drop_postgres_database, fresh_postgres_database,
                             setup_shop)

QUESTION = "How much does a puncture repair cost?"


def children_cpu_seconds() -> float:
    times = os.times()
    return times.children_user + times.children_system


def timed_calls(deployment: Deployment, args: list[str], calls: int, env: dict[str, str],
                expect: str) -> tuple[list[float], list[float]]:
    """(wall seconds, CPU seconds) of each call."""
    data_dir = deployment.root / "cli"
    data_dir.mkdir(exist_ok=True)
    seconds, cpu_seconds = [], []
    for _ in range(calls):
        started, cpu_started = time.perf_counter(), children_cpu_seconds()
        done = subprocess.run([*REPLYBASE, *args], env=deployment.environment(data_dir, env), cwd=data_dir,
                              capture_output=True, text=True, timeout=300)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(children_cpu_seconds() - cpu_started)
        if done.returncode != 0 or expect not in done.stdout + done.stderr:
            raise SystemExit(f"replybase {' '.join(args)} failed or did not say {expect!r}:\n"
                             f"{done.stdout}{done.stderr}")
    return seconds, cpu_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--local-calls", type=int, default=3)
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT)
    parser.add_argument("--postgres-url", default="",
                        help="run on PostgreSQL: the bench creates and drops its own database <that database>_cli")
    args = parser.parse_args()
    database_url = ""
    if args.postgres_url:
        name = args.postgres_url.rsplit("/", 1)[-1].split("?")[0] + "_cli"
        database_url = fresh_postgres_database(args.postgres_url, name)
    try:
        runs = measure(args, database_url)
    finally:
        if database_url:
            drop_postgres_database(database_url)
    baseline = statistics.median(runs[0][1][0])
    rows = [[name, len(seconds), f"{statistics.median(seconds):.2f}", f"{max(seconds):.2f}",
             f"{statistics.median(cpu_seconds):.2f}", f"{statistics.median(seconds) / baseline:.1f}x"]
            for name, (seconds, cpu_seconds) in runs]
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}; load average {os.getloadavg()[0]:.1f}\n")
    print(format_table(["call", "calls", "median s", "max s", "median CPU s", "vs --help"], rows))


def measure(args, database_url: str) -> list:
    with tempfile.TemporaryDirectory(prefix="cli-speed-") as root, \
            Deployment(Path(root), database_url=database_url, checkout=args.checkout) as deployment:
        api = deployment.start_api("api", run_workers=True)
        shop = setup_shop(api, deployment.create_account(plan="self-hosted"))
        search = ["kb", "search", QUESTION, "--account", shop.account.account_id]
        env = {"REPLYBASE_API_URL": api.base_url}
        runs = [("replybase --help (baseline)", timed_calls(deployment, ["--help"], args.calls, env, "Usage")),
                ("kb search, service running", timed_calls(deployment, search, args.calls, env,
                                                           "answered by the running service")),
                ("kb search --local (loads the model)",
                 timed_calls(deployment, [*search, "--local"], args.local_calls, env, "1. ["))]
    return runs


if __name__ == "__main__":
    main()
