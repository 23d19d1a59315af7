import json
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from app.common import utcnow
from app.webhooks import signing
from app.webhooks.models import WebhookDelivery
from app.webhooks.service import emit_event
from tests.jobs import fast_forward


def register(client, tenant, url, events=("message.received",)) -> dict:
    response = client.post("/api/v2/webhooks", json={"url": url, "events": list(events)}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def emit(services, tenant, event="message.received", data=None):
    with services.session_factory() as session:
        emit_event(session, tenant.account_id, event, data or {"phone": "15551234567", "message": "Hola"})
        session.commit()


def the_delivery(services) -> WebhookDelivery:
    with services.session_factory() as session:
        return session.exec(select(WebhookDelivery)).one()


def test_delivery_is_signed_and_marked_delivered(client, services, tenant, receiver, run_jobs):
    webhook = register(client, tenant, receiver.url)
    emit(services, tenant)
    run_jobs()

    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["x-webhook-event"] == "message.received"
    assert headers["content-type"] == "application/json"
    assert signing.verify(webhook["secret"], headers["x-webhook-timestamp"], request.body,
                          headers["x-webhook-signature"])
    assert not signing.verify("whsec_wrong", headers["x-webhook-timestamp"], request.body,
                              headers["x-webhook-signature"])
    body = json.loads(request.body)
    assert body["event"] == "message.received" and body["account_id"] == tenant.account_id
    assert body["data"] == {"phone": "15551234567", "message": "Hola"}
    assert body["timestamp"].endswith("Z")

    [delivery] = client.get(f"/api/v2/webhooks/{webhook['id']}/deliveries",
                            headers=tenant.headers).json()["items"]
    assert delivery["id"] == headers["x-webhook-delivery"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 1
    assert delivery["last_status_code"] == 200 and delivery["response_snippet"] == '{"ok": true}'
    assert delivery["next_attempt_at"] is None and delivery["delivered_at"]


def test_retries_until_the_receiver_comes_back(client, services, tenant, receiver, run_jobs):
    webhook = register(client, tenant, receiver.url)
    receiver.stop()
    emit(services, tenant)

    run_jobs()
    first = the_delivery(services)
    assert first.status == "pending" and first.attempts == 1 and first.last_status_code is None
    assert "ConnectError" in first.last_error
    # The first retry waits 1-2 s (2 s with jitter), and nothing runs before it is due.
    assert timedelta(seconds=0.9) <= first.next_attempt_at - first.last_attempt_at <= timedelta(seconds=2.1)
    run_jobs()
    assert the_delivery(services).attempts == 1

    fast_forward(services)
    run_jobs()
    second = the_delivery(services)
    assert second.attempts == 2 and second.status == "pending"
    assert second.next_attempt_at - second.last_attempt_at >= timedelta(seconds=1.9)  # doubled

    receiver.start()
    fast_forward(services)
    run_jobs()
    final = the_delivery(services)
    assert final.status == "delivered" and final.attempts == 3 and final.last_error is None
    [request] = receiver.requests
    assert signing.verify(webhook["secret"], request.headers["X-Webhook-Timestamp"], request.body,
                          request.headers["X-Webhook-Signature"])
    assert request.body.decode() == final.body  # every attempt sends the same bytes


def test_an_error_status_is_retried_and_recorded(client, services, tenant, receiver, run_jobs):
    register(client, tenant, receiver.url)
    receiver.status, receiver.response_body = 503, b"maintenance"
    emit(services, tenant)
    run_jobs()
    delivery = the_delivery(services)
    assert delivery.status == "pending" and delivery.last_status_code == 503
    assert delivery.last_error == "receiver answered HTTP 503" and delivery.response_snippet == "maintenance"

    receiver.status = 200
    fast_forward(services)
    run_jobs()
    assert the_delivery(services).status == "delivered"
    assert len(receiver.requests) == 2


def test_gives_up_after_the_retry_window(client, services, tenant, receiver, run_jobs):
    register(client, tenant, receiver.url)
    receiver.status = 500
    emit(services, tenant)
    with services.session_factory() as session:
        session.execute(update(WebhookDelivery).values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
        session.commit()
    run_jobs()
    delivery = the_delivery(services)
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    fast_forward(services)
    run_jobs()
    assert len(receiver.requests) == 1


def test_a_slow_receiver_times_out_and_is_retried(client, services, tenant, receiver, run_jobs):
    register(client, tenant, receiver.url)
    services.settings.webhook_timeout_seconds = 0.2
    receiver.delay_seconds = 1.0
    emit(services, tenant)
    run_jobs()
    delivery = the_delivery(services)
    assert delivery.status == "pending" and delivery.last_error == "timed out after 0.2 s"


def test_url_is_checked_again_at_delivery_time(client, services, tenant, receiver, run_jobs):
    register(client, tenant, receiver.url)
    services.settings.allow_private_urls = False  # as if the host now resolved to a private address
    emit(services, tenant)
    run_jobs()
    delivery = the_delivery(services)
    assert receiver.requests == []
    assert delivery.status == "pending" and "private, loopback or link-local" in delivery.last_error


def test_deleting_the_webhook_stops_its_retries(client, services, tenant, receiver, run_jobs):
    webhook = register(client, tenant, receiver.url)
    receiver.stop()
    emit(services, tenant)
    run_jobs()
    assert client.delete(f"/api/v2/webhooks/{webhook['id']}", headers=tenant.headers).status_code == 204
    receiver.start()
    fast_forward(services)
    run_jobs()
    assert receiver.requests == []
