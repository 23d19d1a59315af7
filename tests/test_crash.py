"""kill -9 in the middle of everything, on SQLite and PostgreSQL: after a restart nothing is lost, nothing is sent
twice, and nothing waits for a lease to run out.

One real `replybase serve` (with its worker) against a WAHA server and a webhook receiver on 127.0.0.1. At the kill,
in flight at once: a send WAHA has made but not yet answered, a document being embedded, a paced bulk job, a
scheduled message to a group, and a webhook delivery the receiver has not answered.
"""

import os
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.processes import (API, Deployment, ServiceProcess, check, drop_postgres_database,
                             fresh_postgres_database)
from tests.servers.receiver import WebhookReceiver
from tests.servers.waha import FakeWaha

DATABASE_URL = os.environ.get("REPLYBASE_TEST_DATABASE_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if DATABASE_URL else [])
GATEWAY_TIMEOUT = 3  # an interrupted send is settled this long (+5 s) after it started
LEASE_SECONDS = 60  # app/jobs/claiming.py LEASE: recovery must not have waited for it
BULK_PHONES = [f"4477009{n:05d}" for n in range(12)]
GROUP_PHONES = [f"4477008{n:05d}" for n in range(5)]
HELD_PHONE = "447700911111"
WORDS = ("bicycle frame warranty puncture repair saddle brake cable chain gear wheel spoke tyre pump helmet light "
         "lock basket rack mudguard pedal crank derailleur cassette hub rim tube valve").split()


def long_text(paragraphs: int = 300) -> str:
    """Enough varied text to keep the embedder busy for a while (a few hundred chunks)."""
    rng = random.Random(7)
    return "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(180)) + "." for _ in range(paragraphs))


def wait_until(what: str, predicate, timeout: float) -> float:
    """Poll `predicate` until true; returns the seconds it took, fails naming `what`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


@pytest.fixture(params=DATABASES)
def deployment(request, tmp_path):
    waha, receiver = FakeWaha().start(), WebhookReceiver().start()
    waha.pair_phone = "15550009999"
    url = ""
    if request.param == "postgresql":
        url = fresh_postgres_database(DATABASE_URL, f"{make_url(DATABASE_URL).database}_crash")
    deployment = Deployment(tmp_path, database_url=url, env={
        "REPLYBASE_WAHA_URL": waha.url, "REPLYBASE_WAHA_API_KEY": waha.api_key,
        "REPLYBASE_GATEWAY_TIMEOUT_SECONDS": str(GATEWAY_TIMEOUT), "REPLYBASE_ALLOW_PRIVATE_URLS": "true",
        "REPLYBASE_WEBHOOK_TIMEOUT_SECONDS": "120", "REPLYBASE_BULK_MESSAGES_PER_MINUTE": "60",
        "REPLYBASE_RATE_LIMIT_BUSINESS": "100000",
        # Outreach slots for the held webhook delivery, the scheduled group send and the bulk job at once.
        "REPLYBASE_WORKER_SLOTS": '{"replies": 2, "outreach": 4, "ingest": 1}'})
    try:
        yield deployment, waha, receiver
    finally:
        deployment.stop_all()
        waha.stop()
        receiver.stop()
        if url:
            drop_postgres_database(url)


def get(client: httpx.Client, account, path: str, **params) -> dict:
    return check(client.get(f"{API}{path}", headers=account.headers, params=params))


def test_kill_9_mid_work_loses_nothing_and_sends_nothing_twice(deployment):
    deployment, waha, receiver = deployment
    api: ServiceProcess = deployment.start_api("api", run_workers=True)
    account = deployment.create_account(plan="business")
    headers = account.headers
    with api.client() as client:
        waha_session = check(client.post(f"{API}/sessions", headers=headers,
                                         json={"name": "Shop", "gateway": "waha"}))["id"]
        sandbox_session = check(client.post(f"{API}/sessions", headers=headers, json={"name": "Sandbox"}))["id"]
        webhook = check(client.post(f"{API}/webhooks", headers=headers,
                                    json={"url": receiver.url, "events": ["message.received"]}))["id"]
        group = check(client.post(f"{API}/custom-groups", headers=headers,
                                  json={"name": "VIP", "phones": GROUP_PHONES}))["id"]

        # In flight at the kill: each is waiting on someone when the process dies.
        waha.slow_prefixes = {"HOLD": 300.0, "Reminder": 1.5}
        receiver.delay_seconds = 300.0
        held = threading.Thread(target=lambda: httpx.post(
            f"{api.base_url}{API}/messages/send", headers={**headers, "Idempotency-Key": "order-42"}, timeout=600,
            json={"session_id": waha_session, "phone": HELD_PHONE, "message": "HOLD: your order shipped"}),
            daemon=True)
        held.start()
        document = check(client.post(f"{API}/ai/knowledge-base/text", headers=headers,
                                     json={"title": "Parts catalogue", "text": long_text()}))["id"]
        bulk = check(client.post(f"{API}/messages/bulk", headers=headers, json={
            "session_id": waha_session, "phones": BULK_PHONES, "message": "Sale starts today"}))["id"]
        scheduled = check(client.post(f"{API}/scheduled-messages", headers=headers, json={
            "session_id": waha_session, "group_id": group, "message": "Reminder: your service is due",
            "scheduled_at": (datetime.now(UTC) + timedelta(seconds=1)).isoformat()}))["id"]
        check(client.post(f"{API}/sandbox/inbound", headers=headers,
                          json={"session_id": sandbox_session, "phone": "15551230000", "message": "Hello"}))

        wait_until("everything in flight", lambda: (
            waha.sent_texts("HOLD") and len(waha.sent_texts("Sale")) >= 2 and len(waha.sent_texts("Reminder")) >= 1
            and receiver.requests
            and get(client, account, f"/ai/knowledge-base/documents/{document}")["progress"].get("step") == "embed"),
            timeout=120)
    api.kill()

    # The world carries on: WAHA and the receiver answer normally again.
    waha.slow_prefixes, receiver.delay_seconds = {}, 0.0
    api = deployment.restart(api)
    restarted = time.monotonic()
    with api.client() as client:
        def held_message() -> dict | None:
            items = get(client, account, f"/messages/chats/{HELD_PHONE}@c.us")["items"]
            return next((m for m in items if m["direction"] == "out"), None)

        wait_until("the interrupted send settled", lambda: held_message()["status"] != "queued", timeout=60)
        # The interrupted ingestion is taken back at once (a second attempt), not after its lease; re-embedding
        # the whole text then takes as long as the machine needs.
        wait_until("the ingestion taken back", lambda: any(
            job["attempts"] >= 2 for job in get(client, account, "/jobs", kind="kb.ingest")["items"]),
            timeout=LEASE_SECONDS)
        taken_back_in = time.monotonic() - restarted
        wait_until("the bulk job completed", lambda: get(
            client, account, f"/messages/bulk/{bulk}")["status"] == "completed", timeout=LEASE_SECONDS)
        wait_until("the scheduled message sent", lambda: get(
            client, account, f"/scheduled-messages/{scheduled}")["status"] == "sent", timeout=LEASE_SECONDS)
        wait_until("the webhook delivered", lambda: get(
            client, account, f"/webhooks/{webhook}/deliveries")["items"][0]["status"] == "delivered",
            timeout=LEASE_SECONDS)
        recovered_in = time.monotonic() - restarted
        wait_until("the document ready", lambda: get(
            client, account, f"/ai/knowledge-base/documents/{document}")["status"] == "ready", timeout=600)

        # Nothing sent twice: WAHA had the held message once, and it is recorded with WAHA's own id.
        [(_, held_text)] = waha.sent_texts("HOLD")
        [went_out] = [s["message"] for s in waha.sent if s["message"]["body"] == held_text]
        assert held_message()["status"] == "sent", held_message()
        assert held_message()["message_id"] == went_out["id"]["_serialized"]
        assert sorted(chat for chat, _ in waha.sent_texts("Sale")) == sorted(f"{p}@c.us" for p in BULK_PHONES)
        assert sorted(chat for chat, _ in waha.sent_texts("Reminder")) == sorted(f"{p}@c.us" for p in GROUP_PHONES)
        assert get(client, account, f"/scheduled-messages/{scheduled}")["last_sent"] == len(GROUP_PHONES)
        # Nothing lost: the webhook was delivered (a receiver may see the interrupted attempt and its retry, with
        # the same X-Webhook-Delivery id to tell them apart), and no job failed.
        assert len({r.headers["X-Webhook-Delivery"] for r in receiver.requests}) == 1
        assert get(client, account, "/jobs", status="failed")["total"] == 0
    # Taken back at the restart, not after a lease.
    assert max(recovered_in, taken_back_in) < LEASE_SECONDS
