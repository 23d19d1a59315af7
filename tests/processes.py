"""Real Replybase processes on 127.0.0.1 for deployment tests, crash tests and benchmarks.

A `Deployment` starts `replybase serve` and `replybase worker` as separate OS processes that share one database
and Redis, each with its own data dir (as on separate machines) unless told otherwise, and talks to them over
HTTP only, so the same code runs against any branch of the service:

    with Deployment(tmp_path, database_url=..., redis_url=...) as deployment:
        api = deployment.start_api("api-1", run_workers=False)
        deployment.start_worker("worker-1")
        account = deployment.create_account(plan="business")
        shop = setup_shop(api, account)                # sandbox session, auto-reply on, a document ready
        ...
        api.kill()                                     # SIGKILL, for crash tests
        api = deployment.restart(api)                  # same port, data dir and settings

Every process logs to <root>/<name>.log; a process that fails to start raises with the end of its log.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
FILES = REPO_ROOT / "tests" / "files"
API = "/api/v2"
# Runs the checkout's own code whatever `replybase` is installed in the interpreter's environment.
REPLYBASE = [sys.executable, "-c", "from app.cli import main; main()"]
SHARED_JWT_SECRET = "deployment-test-secret-" + "x" * 32
WORKER_STARTED = "worker running"


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it; another process may still take it first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ProcessFailed(RuntimeError):
    """A service process exited or never became ready; the message ends with its log."""


@dataclass
class Account:
    account_id: str
    api_key: str
    login_email: str = ""
    login_password: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}


class ServiceProcess:
    """One running `replybase serve` (with a port) or `replybase worker` (without)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], cwd: Path, log_path: Path,
                 port: int | None = None) -> None:
        self.name, self.port, self.log_path = name, port, log_path
        self.command, self.env, self.cwd = command, env, cwd
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in _reap
        self._log_start = self._log.tell()  # a restart appends to the same log
        self.popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL)

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise ValueError(f"{self.name} is a worker; it has no URL")
        return f"http://127.0.0.1:{self.port}"

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=timeout)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        """What this run of the process has written so far."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(self._log_start)
                return handle.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def _failed(self, why: str) -> ProcessFailed:
        return ProcessFailed(f"{self.name} {why}; the end of {self.log_path}:\n{self.log_tail()}")

    def wait_ready(self, timeout: float = 90.0) -> None:
        """An API is ready when /readyz answers 200; a worker once it says it runs (jobs wait in the DB)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise self._failed(f"exited with code {self.popen.returncode} while starting")
            if self.port is None:
                if WORKER_STARTED in self.log():
                    return
            else:
                try:
                    if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.2)
        raise self._failed(f"was not ready within {timeout:.0f} s")

    def stop(self, timeout: float = 20.0, sig: int = signal.SIGTERM) -> int | None:
        """Ask the process to stop (SIGTERM, as systemd, Docker and Kubernetes do); SIGKILL after `timeout`.

        Returns the exit code: uvicorn shuts down gracefully and then re-raises the signal, so an API that stopped
        cleanly also ends with -15; its log ends with "Finished server process"."""
        if self.alive():
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._reap()
        return self.popen.returncode

    def kill(self) -> int | None:
        """`kill -9`: no shutdown code runs, as when a machine loses power or the OOM killer strikes."""
        if self.alive():
            self.popen.kill()
            self.popen.wait()
        self._reap()
        return self.popen.returncode

    def _reap(self) -> None:
        if not self._log.closed:
            self._log.close()


@dataclass
class Deployment:
    """Service processes sharing one database (SQLite file by default) and, when given, one Redis.

    `env` is added to every process's environment (e.g. REPLYBASE_RATE_LIMIT_BUSINESS); REPLYBASE_* variables of
    the calling process are not inherited, so a test's settings never leak into the services it starts.
    """

    root: Path
    database_url: str = ""
    redis_url: str = ""
    env: dict[str, str] = field(default_factory=dict)
    # The checkout whose code the processes run (another branch's worktree, to compare it with this one).
    checkout: Path = REPO_ROOT
    processes: list[ServiceProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.root / 'replybase.db').as_posix()}"

    def environment(self, data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("REPLYBASE_")}
        env.update({
            "PYTHONPATH": str(self.checkout), "PYTHONUNBUFFERED": "1",
            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "REPLYBASE_DATA_DIR": str(data_dir), "REPLYBASE_DATABASE_URL": self.database_url,
            "REPLYBASE_REDIS_URL": self.redis_url,
            # Replicas must agree on it, or a login on one is refused by the other (see README).
            "REPLYBASE_JWT_SECRET": SHARED_JWT_SECRET,
        })
        env.update(self.env)
        env.update(extra or {})
        return env

    def _data_dir(self, name: str, data_dir: Path | None) -> Path:
        directory = Path(data_dir) if data_dir else self.root / name
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def _start(self, name: str, args: list[str], data_dir: Path, env: dict[str, str] | None,
               port: int | None) -> ServiceProcess:
        # cwd is the data dir, so a developer's .env in the checkout is not read.
        process = ServiceProcess(name, REPLYBASE + args, self.environment(data_dir, env), data_dir,
                                 self.root / f"{name}.log", port)
        self.processes.append(process)
        return process

    def start_api(self, name: str = "api", *, run_workers: bool = False, data_dir: Path | None = None,
                  env: dict[str, str] | None = None, ready_timeout: float = 90.0,
                  serve_args: tuple[str, ...] = ()) -> ServiceProcess:
        """`replybase serve` on a free port; returns once /readyz answers."""
        data_dir = self._data_dir(name, data_dir)
        extra = {"REPLYBASE_RUN_WORKERS": "true" if run_workers else "false"} | (env or {})
        for attempt in range(3):
            port = free_port()
            process = self._start(name, ["serve", "--host", "127.0.0.1", "--port", str(port), *serve_args],
                                  data_dir, extra, port)
            try:
                process.wait_ready(ready_timeout)
                return process
            except ProcessFailed:
                process.kill()
                self.processes.remove(process)
                # Another program took the port between free_port() and the bind: try another one.
                if attempt == 2 or "address already in use" not in process.log_tail().lower():
                    raise
        raise AssertionError("unreachable")

    def start_worker(self, name: str = "worker", *, data_dir: Path | None = None,
                     env: dict[str, str] | None = None, ready_timeout: float = 90.0) -> ServiceProcess:
        """`replybase worker`; returns once it runs."""
        process = self._start(name, ["worker"], self._data_dir(name, data_dir), env, None)
        process.wait_ready(ready_timeout)
        return process

    def restart(self, process: ServiceProcess, ready_timeout: float = 90.0) -> ServiceProcess:
        """Start a stopped or killed process again with its name, port, data dir and settings (crash tests)."""
        if process.alive():
            raise ValueError(f"{process.name} is still running; stop() or kill() it first")
        again = ServiceProcess(process.name, process.command, process.env, process.cwd, process.log_path,
                               process.port)
        self.processes[self.processes.index(process)] = again
        again.wait_ready(ready_timeout)
        return again

    def cli(self, *args: str, timeout: float = 120.0) -> str:
        """Run `replybase ARGS` against this deployment's database; returns its output, raises on failure."""
        data_dir = self._data_dir("cli", None)
        done = subprocess.run(REPLYBASE + list(args), env=self.environment(data_dir), cwd=data_dir,
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise ProcessFailed(f"replybase {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
        return done.stdout

    def create_account(self, plan: str = "business", name: str = "Velo Verde") -> Account:
        """`replybase init` (prints a full-access key), then `replybase accounts set-plan` unless init already
        gave the account `plan`."""
        try:
            output = self.cli("init", "--name", name, "--plan", plan)
        except ProcessFailed:  # a version of init without --plan
            output = self.cli("init", "--name", name)
        fields = dict(re.findall(r"^(account_id|api_key|login|plan):\s+(.+)$", output, flags=re.MULTILINE))
        if "account_id" not in fields or "api_key" not in fields:
            raise ProcessFailed(f"replybase init printed no account_id/api_key:\n{output}")
        if fields.get("plan", "").strip() != plan:
            self.cli("accounts", "set-plan", fields["account_id"], plan)
        email, _, password = fields.get("login", "").partition(" / ")
        return Account(fields["account_id"], fields["api_key"], email, password)

    def stop_all(self, timeout: float = 20.0) -> None:
        for process in reversed(self.processes):
            process.stop(timeout)

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_all()


@dataclass
class Shop:
    """A sandbox session answering by itself from the Velo Verde documents."""

    account: Account
    session_id: str
    document_ids: list[str]


def check(response: httpx.Response, *expected: int) -> dict:
    if response.status_code not in (expected or (200, 201, 202)):
        raise AssertionError(f"{response.request.method} {response.request.url.path} -> "
                             f"{response.status_code}: {response.text[:500]}")
    return response.json() if response.content else {}


def create_sandbox_session(client: httpx.Client, account: Account, name: str = "Shop") -> str:
    return check(client.post(f"{API}/sessions", json={"name": name}, headers=account.headers))["id"]


def enable_auto_reply(client: httpx.Client, account: Account, session_id: str, **settings) -> dict:
    """Auto-reply on, answering at once (no debounce window) unless `settings` say otherwise."""
    body = {"enabled": True, "debounce_seconds": 0} | settings
    return check(client.put(f"{API}/ai/auto-reply/{session_id}", json=body, headers=account.headers))


def upload_document(client: httpx.Client, account: Account, data: bytes, filename: str) -> str:
    response = client.post(f"{API}/ai/knowledge-base/upload", files={"file": (filename, data)},
                           headers=account.headers)
    return check(response, 200, 202)["id"]


def document_status(client: httpx.Client, account: Account, document_id: str) -> dict:
    return check(client.get(f"{API}/ai/knowledge-base/documents/{document_id}", headers=account.headers))


def wait_document_ready(client: httpx.Client, account: Account, document_id: str, timeout: float = 120.0) -> dict:
    """Poll until the document is `ready`; raises if it fails or the time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        document = document_status(client, account, document_id)
        if document["status"] == "ready":
            return document
        if document["status"] == "failed" or time.monotonic() > deadline:
            raise AssertionError(f"document {document_id} is {document['status']} ({document.get('error')}) "
                                 f"after {timeout:.0f} s; progress {document.get('progress')}")
        time.sleep(0.25)


def search(client: httpx.Client, account: Account, query: str, top_k: int = 5) -> list[dict]:
    response = client.post(f"{API}/ai/knowledge-base/search", json={"query": query, "top_k": top_k},
                           headers=account.headers)
    return check(response)["results"]


def list_replies(client: httpx.Client, account: Account, session_id: str, page_size: int = 200) -> list[dict]:
    """Every reply-log row of the session (all pages)."""
    rows: list[dict] = []
    while True:
        page = check(client.get(f"{API}/ai/replies", headers=account.headers,
                                params={"session_id": session_id, "limit": page_size, "offset": len(rows)}))
        rows += page["items"]
        if not page["items"] or len(rows) >= page["total"]:
            return rows


def setup_shop(api: ServiceProcess, account: Account, documents: tuple[str, ...] = ("velo_verde_faq.txt",),
               session_name: str = "Shop", ready_timeout: float = 120.0, **auto_reply) -> Shop:
    """A sandbox session with auto-reply on and the given tests/files documents ingested (a worker must run)."""
    with api.client() as client:
        session_id = create_sandbox_session(client, account, session_name)
        enable_auto_reply(client, account, session_id, **auto_reply)
        document_ids = [upload_document(client, account, (FILES / name).read_bytes(), name) for name in documents]
        for document_id in document_ids:
            wait_document_ready(client, account, document_id, ready_timeout)
    return Shop(account, session_id, document_ids)


def _database_url(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


def fresh_postgres_database(url: str, name: str) -> str:
    """Drop and create database `name` on the server of `url` (which must allow CREATE DATABASE); its URL."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return _database_url(url, name)


def drop_postgres_database(url: str) -> None:
    """Drop the database `url` names, connecting through the server's `postgres` database."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(_database_url(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
