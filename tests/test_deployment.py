"""Two API processes and two workers on one PostgreSQL and one Redis, each with its own data dir, as on
separate machines: the knowledge base, the reply log, logins and rate limits are one service, whichever process
a request reaches."""

import os
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.processes import (API, FILES, Deployment, create_sandbox_session, drop_postgres_database,
                             enable_auto_reply, fresh_postgres_database, list_replies, search, setup_shop,
                             upload_document, wait_document_ready)

DATABASE_URL = os.environ.get("REPLYBASE_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("REPLYBASE_TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not (DATABASE_URL and REDIS_URL), reason=(
    "several processes need a shared PostgreSQL and Redis: set REPLYBASE_TEST_DATABASE_URL and "
    "REPLYBASE_TEST_REDIS_URL (make test does)"))
FREE_LIMIT = 10
FINAL = {"sent", "handoff", "draft", "skipped", "failed", "merged", "rejected"}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    url = fresh_postgres_database(DATABASE_URL, f"{make_url(DATABASE_URL).database}_processes")
    deployment = Deployment(tmp_path_factory.mktemp("deployment"), database_url=url, redis_url=REDIS_URL,
                            env={"REPLYBASE_RATE_LIMIT_FREE": str(FREE_LIMIT),
                                 "REPLYBASE_RATE_LIMIT_BUSINESS": "100000",
                                 # What is tested is where data lives, not retrieval quality: the offline
                                 # embedder spares four processes loading the model on two cores.
                                 "REPLYBASE_EMBEDDING_PROVIDER": "hash"})
    try:
        # All at once on the new database, as a rollout would: they must take turns creating the schema.
        with ThreadPoolExecutor(4) as pool:
            starting = [pool.submit(deployment.start_api, "api-1"), pool.submit(deployment.start_api, "api-2"),
                        pool.submit(deployment.start_worker, "worker-1"),
                        pool.submit(deployment.start_worker, "worker-2")]
            for future in starting:
                future.result()
        yield deployment
    finally:
        deployment.stop_all()
        drop_postgres_database(url)


@pytest.fixture(scope="module")
def apis(deployment):
    return sorted((process for process in deployment.processes if process.port is not None), key=lambda p: p.name)


@pytest.fixture(scope="module")
def shop(deployment, apis):
    return setup_shop(apis[0], deployment.create_account(plan="business"), ("velo_verde_faq.txt",))


def test_a_document_uploaded_through_one_api_is_found_through_the_other(apis, shop):
    first, second = apis
    with first.client() as one, second.client() as two:
        assert search(two, shop.account, "Where is the shop?")  # the second API's index copy exists now
        document_id = upload_document(one, shop.account, (FILES / "velo_verde_prices.docx").read_bytes(),
                                      "velo_verde_prices.docx")
        wait_document_ready(one, shop.account, document_id)
        # No waiting and no restart: the very next search on the other machine sees it.
        found = search(two, shop.account, "How much does a puncture repair cost?", top_k=10)
        assert any(hit["document_id"] == document_id and "£12" in hit["text"] for hit in found)
        assert two.delete(f"{API}/ai/knowledge-base/documents/{document_id}",
                          headers=shop.account.headers).status_code == 204
        found = search(one, shop.account, "How much does a puncture repair cost?", top_k=10)
        assert document_id not in {hit["document_id"] for hit in found}


def test_a_login_on_one_api_is_accepted_by_the_other(apis, shop):
    first, second = apis
    login = httpx.post(f"{first.base_url}{API}/auth/login", timeout=30, json={
        "email": shop.account.login_email, "password": shop.account.login_password})
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    answer = httpx.get(f"{second.base_url}{API}/sessions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text


def test_a_burst_spread_over_both_apis_gets_one_reply_per_message(apis, shop):
    with apis[0].client() as client:
        session_id = create_sandbox_session(client, shop.account, "Burst")
        enable_auto_reply(client, shop.account, session_id)
    questions = ["When are you open on Sunday?", "Where is the shop?", "How many days do I have to return something?"]
    bodies = [{"session_id": session_id, "phone": f"4477009{i:05d}", "message": questions[i % 3],
               "message_id": f"wamid.DEPLOY{i:05d}"} for i in range(30)]

    def deliver(job):
        api, body = job
        return httpx.post(f"{api.base_url}{API}/sandbox/inbound", json=body, headers=shop.account.headers,
                          timeout=120)

    # Each message reaches one API and its duplicate delivery the other, all at once.
    jobs = [(apis[i % 2], body) for i, body in enumerate(bodies)] + \
           [(apis[(i + 1) % 2], body) for i, body in enumerate(bodies)]
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(deliver, jobs))
    assert [a.status_code for a in answers if a.status_code != 200] == []
    messages = {a.json()["message"]["id"] for a in answers}
    assert len(messages) == len(bodies)  # a duplicate delivery finds the original message
    assert sum(a.json()["stored"] for a in answers) == len(bodies)

    deadline = time.monotonic() + 60
    with apis[1].client() as client:
        while True:
            replies = [row for row in list_replies(client, shop.account, session_id) if row["status"] in FINAL]
            if {row["inbound_message_id"] for row in replies} >= messages or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        time.sleep(2)  # a second reply to the same message would show up now
        replies = [row for row in list_replies(client, shop.account, session_id) if row["status"] in FINAL]
    per_message = sorted(row["inbound_message_id"] for row in replies)
    assert per_message == sorted(messages), "every message gets exactly one reply"
    assert {row["status"] for row in replies} <= {"sent", "handoff"}  # both send a message to the customer


def test_the_rate_limit_is_shared_by_both_apis(deployment, apis):
    account = deployment.create_account(plan="free", name="Small shop")
    statuses = [httpx.get(f"{apis[i % 2].base_url}{API}/sessions", headers=account.headers, timeout=30).status_code
                for i in range(FREE_LIMIT + 2)]
    assert statuses == [200] * FREE_LIMIT + [429, 429]
