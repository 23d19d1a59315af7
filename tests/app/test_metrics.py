"""GET /metrics: Prometheus text with HTTP traffic by route template, webhook and auto-reply outcomes, jobs, queue."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.common import utcnow
from app.jobs.queue import enqueue
from app.metrics import observe_job, record_autoreply_outcome
from app.webhooks.service import emit_event
from tests.servers.receiver import WebhookReceiver


def scrape(client) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} from /metrics, fetched without an API key."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def sample(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def test_requests_are_counted_by_route_template_not_path(client, tenant):
    labels = {"method": "GET", "route": "/api/v2/sessions/{session_id}", "status": "404"}
    before = scrape(client)
    for session_id in ("a1b2c3", "d4e5f6"):
        assert client.get(f"/api/v2/sessions/{session_id}", headers=tenant.headers).status_code == 404
    response = client.get("/metrics")
    after = scrape(client)
    assert sample(after, "replybase_http_requests_total", **labels) - \
        sample(before, "replybase_http_requests_total", **labels) == 2
    assert sample(after, "replybase_http_request_duration_seconds_count", **labels) - \
        sample(before, "replybase_http_request_duration_seconds_count", **labels) == 2
    assert "a1b2c3" not in response.text and "d4e5f6" not in response.text


def test_unknown_paths_and_methods_do_not_make_new_series(client):
    client.get("/wp-admin/setup-config.php")
    client.request("BREW", "/healthz")
    text = client.get("/metrics").text
    assert "wp-admin" not in text and "BREW" not in text
    samples = scrape(client)
    assert sample(samples, "replybase_http_requests_total", method="GET", route="<unmatched>", status="404") >= 1
    assert sample(samples, "replybase_http_requests_total", method="other", route="/healthz", status="405") >= 1


def test_webhook_outcomes_after_deliveries(client, services, tenant, receiver, run_jobs):
    client.post("/api/v2/webhooks", json={"url": receiver.url, "events": ["message.received"]},
                headers=tenant.headers)
    before = scrape(client)

    def deliver_one():
        with services.session_factory() as session:
            emit_event(session, tenant.account_id, "message.received", {"phone": "15551234567"})
            session.commit()
        run_jobs()

    deliver_one()
    receiver.status = 500
    deliver_one()
    after = scrape(client)
    assert {outcome: sample(after, "replybase_webhook_deliveries_total", outcome=outcome)
            - sample(before, "replybase_webhook_deliveries_total", outcome=outcome)
            for outcome in ("delivered", "retry", "failed")} == {"delivered": 1, "retry": 1, "failed": 0}


def test_queue_depth_by_lane_and_status(client, services):
    with services.session_factory() as session:
        for _ in range(2):
            enqueue(session, "webhooks.deliver", {})
        enqueue(session, "webhooks.deliver", {}, run_at=utcnow() - timedelta(minutes=5))  # waiting for 5 minutes
        enqueue(session, "webhooks.deliver", {}, run_at=utcnow() + timedelta(hours=1))  # a retry, not due yet
        session.commit()
    samples = scrape(client)
    assert sample(samples, "replybase_jobs", lane="outreach", status="queued") == 4
    assert 300 <= sample(samples, "replybase_jobs_oldest_due_seconds", lane="outreach") < 360
    # A lane with nothing in it reads 0 rather than no data.
    assert ("replybase_jobs", (("lane", "ingest"), ("status", "queued"))) in samples
    assert sample(samples, "replybase_jobs", lane="ingest", status="queued") == 0


def test_worker_and_auto_reply_hooks_show_at_metrics(client):
    before = scrape(client)
    observe_job("metrics.test", "default", 0.2, ok=True)
    observe_job("metrics.test", "default", 12.0, ok=False)
    record_autoreply_outcome("handoff")
    after = scrape(client)

    def delta(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    job = {"kind": "metrics.test", "lane": "default"}
    assert delta("replybase_job_duration_seconds_count", **job) == 2
    assert delta("replybase_job_duration_seconds_bucket", **job, le="15.0") == 2
    assert delta("replybase_job_duration_seconds_bucket", **job, le="10.0") == 1
    assert delta("replybase_job_failures_total", **job) == 1
    assert delta("replybase_autoreply_outcomes_total", status="handoff") == 1
    assert ("replybase_autoreply_outcomes_total", (("status", "merged"),)) in after  # every status, from zero


def test_metrics_can_be_turned_off(services):
    from fastapi.testclient import TestClient

    from app.main import create_app

    services.settings.metrics = False
    with TestClient(create_app(services=services)) as client:
        assert client.get("/metrics").status_code == 404
