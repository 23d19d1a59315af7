"""Burst benchmark on real processes: N customers writing at once (each message delivered twice, as gateways
retry), then auto-reply latency idle against during a 200-page ingestion, on SQLite and PostgreSQL.

HTTP only (plus tests/processes.py to start `replybase serve` / `replybase worker`), so it runs unchanged against
any branch. Bounded: every wait has a deadline, and the run stops by itself.

    python bench/burst.py                       # N = 100 and 500 on SQLite and PostgreSQL, then the latency part
    python bench/burst.py --quick               # N = 20, 5 questions, a 20-page PDF
    python bench/burst.py --workers 2           # API with REPLYBASE_RUN_WORKERS=false plus 2 worker processes
    python bench/burst.py --checkout ../main    # measure another worktree's service with this harness

PostgreSQL: --postgres-url (default $REPLYBASE_BENCH_DATABASE_URL or $REPLYBASE_TEST_DATABASE_URL); the bench
creates and drops its own database `<that database>_burst` there. Redis: --redis-url (default
$REPLYBASE_TEST_REDIS_URL; empty keeps rate limits in memory).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import aiohttp
import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
import httpx
from common import format_table

from tests.files.generated import make_catalogue_pdf
from tests.processes import (API, Deployment, ServiceProcess, Shop, create_sandbox_session, document_status,
                             drop_postgres_database, enable_auto_reply, free_port, fresh_postgres_database,
                             list_replies, setup_shop, upload_document)

# Questions the Velo Verde documents answer (bench/autoreply_latency.py answers all of them).
QUESTIONS = ["When are you open on Sunday?", "How much does a puncture repair cost?", "What is your phone number?",
             "How long is the warranty on the frame?", "How many days do I have to return something?",
             "How much is shipping?", "Where is the shop?", "How much is a tune-up?"]
DOCUMENTS = ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt")
# Business-plan budget for the bench account: the burst and its polling are thousands of requests an hour.
RATE_LIMIT = "100000000"
# The last line of a logged traceback, e.g. "sqlalchemy.exc.OperationalError: (sqlite3...) database is locked".
ERROR_LINE = re.compile(r"^[\w.]+(Error|Exception|Timeout)\b.*:")
FINAL = {"sent", "handoff", "draft", "skipped", "failed", "merged", "rejected"}


@dataclass
class Delivery:
    kind: str  # original or duplicate
    index: int
    phone: str
    seconds: float
    status: int | None = None  # None: no HTTP answer (timeout, refused connection)
    error: str = ""
    message_row: str | None = None
    stored: bool | None = None


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


async def _deliver(client: aiohttp.ClientSession, url: str, headers: dict, body: dict, kind: str, index: int
                   ) -> Delivery:
    started = time.perf_counter()
    try:
        async with client.post(url, json=body, headers=headers) as response:
            payload = await response.json() if response.ok else None
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        return Delivery(kind, index, body["phone"], time.perf_counter() - started, error=type(exc).__name__)
    delivery = Delivery(kind, index, body["phone"], time.perf_counter() - started, status)
    if payload is not None:
        delivery.stored = payload["stored"]
        delivery.message_row = (payload.get("message") or {}).get("id")
    return delivery


async def _send_burst(urls: list[str], headers: dict, session_id: str, n: int, tag: str, duplicates: str,
                      timeout: float) -> list[Delivery]:
    """2N calls at once. aiohttp, not httpx: against a bare route, httpx's own overhead put the p95 of 200
    concurrent calls at 1.7-4.3 s on this machine, aiohttp's at 0.2-0.3 s, so httpx measured itself."""
    bodies = [{"session_id": session_id, "phone": f"4477{tag}{i:06d}", "message": QUESTIONS[i % len(QUESTIONS)],
               "message_id": f"wamid.BURST{tag}{i:06d}", "name": f"Customer {i}"} for i in range(n)]
    connector = aiohttp.TCPConnector(limit=2 * n)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as client:
        spread = cycle(urls)  # customers spread over the APIs as a load balancer would
        pairs = [(next(spread), next(spread)) for _ in range(n)]
        originals = [_deliver(client, pairs[i][0], headers, bodies[i], "original", i) for i in range(n)]
        repeats = [_deliver(client, pairs[i][1], headers, bodies[i], "duplicate", i) for i in range(n)]
        if duplicates == "after":  # the second wave only once the first has been answered
            return list(await asyncio.gather(*originals)) + list(await asyncio.gather(*repeats))
        return list(await asyncio.gather(*[call for pair in zip(originals, repeats) for call in pair]))


def bare_route_p95(n: int, args) -> float:
    """The same 2N calls against a bare FastAPI route in its own process: the floor of client plus framework."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "bare_app:app", "--app-dir", str(Path(__file__).parent),
                               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"])
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            try:
                httpx.get(url + "/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        deliveries = asyncio.run(_send_burst([url + "/echo"], {}, "bare", n, "0000", args.duplicates,
                                             args.request_timeout))
        return percentile([d.seconds for d in deliveries], .95)
    finally:
        server.terminate()
        server.wait(10)


def _error_summary(deliveries: list[Delivery]) -> str:
    failed = Counter(d.error or str(d.status) for d in deliveries if d.status is None or d.status >= 300)
    return ", ".join(f"{key}x{count}" for key, count in failed.most_common()) or "0"


def _poll(client: httpx.Client, shop, session_id: str, previous: list[dict]) -> list[dict]:
    """The reply log, or the previous reading when an overloaded service cannot answer in time."""
    try:
        return list_replies(client, shop.account, session_id)
    except (httpx.HTTPError, AssertionError) as exc:
        print(f"    reply log unreadable this time ({type(exc).__name__}); polling on", flush=True)
        return previous


def _wait_for_replies(api: ServiceProcess, shop, chats: set[str], started: float, args,
                      settle: float = 3.0) -> tuple[list[dict], float | None]:
    """Poll the reply log until every customer has a finished reply, no new reply came for `--quiet` seconds
    (the rest were lost), or the deadline; then read it once more after a few seconds, so a late second reply
    to the same customer is counted too."""
    first_seen: dict[str, float] = {}
    deadline = started + args.reply_timeout
    rows: list[dict] = []
    last_change = time.perf_counter()
    with api.client() as client:
        while True:
            rows = _poll(client, shop, shop.session_id, rows)
            for row in rows:
                if row["status"] in FINAL and row["id"] not in first_seen:
                    first_seen[row["id"]] = time.perf_counter() - started
                    last_change = time.perf_counter()
            answered = {row["chat_id"] for row in rows if row["status"] in FINAL}
            now = time.perf_counter()
            if chats <= answered or now > deadline or now - last_change > args.quiet:
                break
            time.sleep(1.0)
        time.sleep(settle)
        rows = _poll(client, shop, shop.session_id, rows)
    last = max((first_seen.get(row["id"], time.perf_counter() - started) for row in rows
                if row["status"] in FINAL), default=None)
    return rows, last


def _await_responsive(api: ServiceProcess, account, timeout: float = 600.0) -> None:
    """Wait until the API answers a cheap request quickly again: an overloaded one is still working through
    requests whose clients gave up, and the next phase would measure that backlog."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"{api.base_url}{API}/sessions", headers=account.headers, timeout=5).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    print(f"    {api.name} still unresponsive after {timeout:.0f} s; going on", flush=True)


def run_burst(label: str, apis: list[ServiceProcess], shop, n: int, args) -> list:
    tag = f"{random.randrange(10**4):04d}"
    with apis[0].client() as client:
        session_id = create_sandbox_session(client, shop.account, f"Burst {n}")
        enable_auto_reply(client, shop.account, session_id, max_replies_per_chat_per_hour=1000)
    started = time.perf_counter()
    deliveries = asyncio.run(_send_burst([f"{api.base_url}{API}/sandbox/inbound" for api in apis],
                                         shop.account.headers, session_id, n, tag, args.duplicates,
                                         args.request_timeout))
    chats = {f"{d.phone}@c.us" for d in deliveries}
    rows, last = _wait_for_replies(apis[0], Shop(shop.account, session_id, []), chats, started, args)
    for api in apis:
        _await_responsive(api, shop.account)
    # One customer, one message (delivered twice): the customer's view is one reply per chat.
    per_chat = Counter(row["chat_id"] for row in rows if row["status"] in FINAL)
    answered = {d.index for d in deliveries if d.status is not None and d.status < 300}
    rows_by_index: dict[int, set[str]] = {}
    for d in deliveries:
        if d.message_row:
            rows_by_index.setdefault(d.index, set()).add(d.message_row)
    stored_twice = Counter(d.index for d in deliveries if d.stored)
    # A duplicate delivery must find the original's message (stored false), never store one of its own.
    duplicates_stored = sum(1 for i in range(n) if stored_twice[i] > 1 or len(rows_by_index.get(i, ())) > 1)
    seconds = [d.seconds for d in deliveries]
    bare = bare_route_p95(n, args)
    return [label, n, _error_summary([d for d in deliveries if d.kind == "original"]),
            _error_summary([d for d in deliveries if d.kind == "duplicate"]),
            f"{percentile(seconds, .5):.2f} / {percentile(seconds, .95):.2f} / {max(seconds):.2f}",
            f"{bare:.2f} ({percentile(seconds, .95) / bare:.1f}x)",
            n - len(answered), duplicates_stored, sum(1 for chat in chats if per_chat[chat] == 1),
            sum(1 for chat in chats if per_chat[chat] == 0), sum(1 for chat in chats if per_chat[chat] >= 2),
            " ".join(f"{k}:{v}" for k, v in sorted(Counter(row["status"] for row in rows).items())),
            f"{last:.1f}" if last is not None else "-"]


def _ask_paced(api: ServiceProcess, shop, session_id: str, count: int, pace: float, tag: str,
               document_id: str | None = None, timeout: float = 600.0) -> tuple[list[float], list[float], int]:
    """Send `count` questions one every `pace` seconds while a poller watches the reply log every 0.2 s.

    Returns the reply log's latency_ms, the client-seen inbound -> reply times (ms), and how many questions
    were sent while `document_id` was still processing."""
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    logged: dict[str, float] = {}
    sending_done = threading.Event()

    def poll() -> None:
        deadline = time.perf_counter() + timeout
        with api.client() as client:
            while time.perf_counter() < deadline and not (sending_done.is_set() and len(seen) >= len(sent)):
                for row in _poll(client, shop, session_id, []):
                    message = row["inbound_message_id"]
                    if message in sent and message not in seen and row["status"] in FINAL:
                        seen[message] = (time.perf_counter() - sent[message]) * 1000
                        if row["latency_ms"] is not None:
                            logged[message] = row["latency_ms"]
                time.sleep(0.2)

    poller = threading.Thread(target=poll)
    poller.start()
    while_ingesting = 0
    try:
        with api.client() as client:
            for i in range(count):
                if document_id and document_status(client, shop.account, document_id)["status"] == "processing":
                    while_ingesting += 1
                at = time.perf_counter()
                response = client.post(f"{API}/sandbox/inbound", headers=shop.account.headers, json={
                    "session_id": session_id, "phone": f"4478{tag}{i:05d}",
                    "message": QUESTIONS[i % len(QUESTIONS)]})
                if response.is_success:
                    sent[response.json()["message"]["id"]] = at
                time.sleep(max(0.0, pace - (time.perf_counter() - at)))
    finally:
        sending_done.set()
        poller.join()
    return list(logged.values()), list(seen.values()), while_ingesting


def run_latency(label: str, api: ServiceProcess, shop, args) -> list[list]:
    tag = f"{random.randrange(10**4):04d}"
    with api.client() as client:
        session_id = create_sandbox_session(client, shop.account, "Latency")
        enable_auto_reply(client, shop.account, session_id, max_replies_per_chat_per_hour=1000)
    idle_logged, idle_seen, _ = _ask_paced(api, shop, session_id, args.questions, args.pace, tag + "0",
                                           timeout=args.reply_timeout)

    pdf = make_catalogue_pdf(args.pages)
    with api.client(timeout=120) as client:
        document_id = upload_document(client, shop.account, pdf, f"catalogue-{tag}.pdf")
        upload_started = time.perf_counter()
        # Questions start once the worker is on it (past "queued"), so they meet the ingestion, not its queue.
        while document_status(client, shop.account, document_id)["progress"].get("step") == "queued":
            if time.perf_counter() - upload_started > args.reply_timeout:
                break
            time.sleep(0.1)
    busy_logged, busy_seen, while_ingesting = _ask_paced(api, shop, session_id, args.questions, args.pace,
                                                         tag + "1", document_id, args.reply_timeout)
    with api.client() as client:
        while document_status(client, shop.account, document_id)["status"] == "processing" and \
                time.perf_counter() - upload_started < args.reply_timeout:
            time.sleep(0.5)
        document = document_status(client, shop.account, document_id)
    ingest_seconds = time.perf_counter() - upload_started
    rows = []
    for measure, idle, busy in (("reply log latency_ms", idle_logged, busy_logged),
                              ("client: inbound -> reply seen", idle_seen, busy_seen)):
        ratio = percentile(busy, .95) / percentile(idle, .95) if idle and busy else float("nan")
        rows.append([label, measure, f"{len(idle)}/{args.questions}", f"{percentile(idle, .5):.0f}",
                     f"{percentile(idle, .95):.0f}", f"{len(busy)}/{args.questions} ({while_ingesting} sent while "
                     "ingesting)", f"{percentile(busy, .5):.0f}", f"{percentile(busy, .95):.0f}", f"{ratio:.1f}x",
                     f"{document['status']}, {document.get('chunk_count')} chunks, {ingest_seconds:.0f} s"])
    return rows


def start(root: Path, database_url: str, args) -> tuple[Deployment, list[ServiceProcess]]:
    deployment = Deployment(root, database_url=database_url, redis_url=args.redis_url,
                            env={"REPLYBASE_RATE_LIMIT_BUSINESS": RATE_LIMIT}, checkout=args.checkout.resolve())
    apis = [deployment.start_api(f"api-{i + 1}", run_workers=args.workers == 0) for i in range(args.apis)]
    for i in range(args.workers):
        deployment.start_worker(f"worker-{i + 1}")
    return deployment, apis


def run_database(label: str, database_url: str, args, burst_rows: list, latency_rows: list) -> None:
    with tempfile.TemporaryDirectory(prefix=f"burst-{label}-") as directory:
        deployment, apis = start(Path(directory), database_url, args)
        try:
            account = deployment.create_account(plan="business")
            shop = setup_shop(apis[0], account, DOCUMENTS, session_name="Warm-up")
            # One reply through each API first, so model loading and first-query costs are not counted in the burst.
            for number, api in enumerate(apis):
                run_burst_warmup(api, shop, args, tag=f"99{number:02d}")
            if args.questions:  # first, on a quiet service
                print(f"  {label}: latency idle and during a {args.pages}-page ingestion ...", flush=True)
                try:
                    latency_rows.extend(run_latency(label, apis[0], shop, args))
                except Exception as exc:  # one broken run must not lose the others' figures
                    latency_rows.append([label, f"bench failed: {exc!r}"[:200]])
                _await_responsive(apis[0], account)
            for n in args.sizes:
                print(f"  {label}: burst of {n} customers ...", flush=True)
                try:
                    burst_rows.append(run_burst(label, apis, shop, n, args))
                except Exception as exc:
                    burst_rows.append([label, n, f"bench failed: {exc!r}"[:200]])
        finally:
            deployment.stop_all()
            errors = Counter(line.strip()[:160] for process in deployment.processes
                             for line in process.log().splitlines() if ERROR_LINE.match(line))
            for line, count in errors.most_common(5):
                print(f"  {label}: {count} x in the service logs: {line}", flush=True)


def run_burst_warmup(api: ServiceProcess, shop, args, tag: str = "9999") -> None:
    _ask_paced(api, shop, shop.session_id, 1, 0, tag, timeout=args.reply_timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--postgres-url", default=os.environ.get("REPLYBASE_BENCH_DATABASE_URL")
                        or os.environ.get("REPLYBASE_TEST_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("REPLYBASE_TEST_REDIS_URL", ""))
    parser.add_argument("--apis", type=int, default=1, help="API processes; the burst is spread over them")
    parser.add_argument("--workers", type=int, default=0,
                        help="worker processes; 0 runs jobs inside the API (REPLYBASE_RUN_WORKERS=true)")
    parser.add_argument("--duplicates", choices=["together", "after"], default="together",
                        help="send each duplicate delivery together with the original, or in a second wave")
    parser.add_argument("--questions", type=int, default=20, help="questions per latency phase (0 skips it)")
    parser.add_argument("--pace", type=float, default=0.5, help="seconds between latency questions")
    parser.add_argument("--pages", type=int, default=200, help="pages of the PDF ingested in the latency part")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--reply-timeout", type=float, default=600.0, help="longest wait for replies, per phase")
    parser.add_argument("--quiet", type=float, default=60.0,
                        help="stop waiting for a burst's replies once none came for this many seconds")
    parser.add_argument("--checkout", type=Path, default=common.REPO_ROOT,
                        help="the checkout whose service is measured (default: this one)")
    parser.add_argument("--quick", action="store_true", help="N = 20, 5 questions, a 20-page PDF")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.questions, args.pages, args.reply_timeout = [20], 5, 20, min(args.reply_timeout, 180)

    burst_rows: list = []
    latency_rows: list = []
    for database in args.databases:
        if database == "sqlite":
            run_database("sqlite", "", args, burst_rows, latency_rows)
        elif not args.postgres_url:
            print("  postgresql skipped: set --postgres-url or REPLYBASE_TEST_DATABASE_URL")
        else:
            name = args.postgres_url.rsplit("/", 1)[-1].split("?")[0] + "_burst"
            url = fresh_postgres_database(args.postgres_url, name)
            try:
                run_database("postgresql", url, args, burst_rows, latency_rows)
            finally:
                drop_postgres_database(url)

    topology = f"{args.apis} API process(es), " + (f"{args.workers} worker process(es)" if args.workers
                                                   else "jobs inside the API")
    print(f"\nService code: {args.checkout.resolve()}")
    print(f"Burst: N customers at once, each message delivered twice ({args.duplicates}); {topology}; "
          f"load average {os.getloadavg()[0]:.1f}\n")
    print(format_table(["database", "N", "errors (originals)", "errors (duplicates)", "inbound s p50/p95/max",
                        "bare route p95 s (ratio)",
                        "customers with no 2xx", "duplicates stored", "customers with exactly one reply",
                        "0 replies", "2+ replies", "reply statuses", "last reply s"], burst_rows))
    print("\nbare route: the same calls from the same client to a bare FastAPI route (bench/bare_app.py) in its own "
          "process, right after the burst: the floor the machine and client allow")
    print("\nerrors: HTTP status or exception x count; customers: N, each with one message delivered twice; a reply "
          "is a reply-log row past pending; last reply: seconds from the burst's start")
    if latency_rows:
        print(f"\nAuto-reply latency (ms), {args.questions} questions one every {args.pace} s: idle, then while a "
              f"{args.pages}-page PDF is ingested\n")
        print(format_table(["database", "measure", "idle n", "idle p50", "idle p95", "ingesting n", "ingesting p50",
                            "ingesting p95", "p95 ratio", "the PDF"], latency_rows))


if __name__ == "__main__":
    main()
