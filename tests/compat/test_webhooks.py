"""The core guide's webhook requests, and a MoltFlow-style receiver checking the signature with its own secret."""

import hashlib
import hmac
import json

import pytest

from tests.servers.receiver import WebhookReceiver


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def moltflow_receiver_accepts(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver written from the guide does: recompute the HMAC-SHA256 with the secret it chose."""
    headers = {k.lower(): v for k, v in headers.items()}
    signed = headers["x-webhook-timestamp"].encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["x-webhook-signature"])


def test_create_as_documented_then_a_receiver_verifies_with_its_own_secret(moltflow, session_id, receiver, run_jobs):
    response = moltflow("POST /webhooks", json={
        "name": "Incoming Messages", "url": receiver.url, "events": ["message.received", "session.connected"],
        "secret": "whsec_my_secret"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert {"id", "name", "url", "events", "is_active", "created_at"} <= set(created)
    assert created["events"] == ["message.received", "session.connected"] and created["is_active"] is True

    inbound = {"session_id": session_id, "phone": "5511999999999", "message": "Hello!"}  # the customer writes
    assert moltflow.http.post("/api/v2/sandbox/inbound", json=inbound, headers=moltflow.headers).status_code == 200
    run_jobs()
    [request] = receiver.requests
    assert moltflow_receiver_accepts("whsec_my_secret", request.headers, request.body)
    assert not moltflow_receiver_accepts("whsec_other", request.headers, request.body)
    payload = json.loads(request.body)
    assert payload["event"] == "message.received" and payload["timestamp"]
    assert payload["data"]["session_id"] == session_id and payload["data"]["chat_id"] == "5511999999999@c.us"
    assert payload["data"]["message"] == "Hello!"


def test_every_documented_event_name_is_accepted(moltflow):
    events = ["message.received", "message.sent", "session.connected", "session.disconnected", "lead.detected",
              "group.message", "message.delivered", "message.read"]
    response = moltflow("POST /webhooks", json={"name": "CRM Integration", "url": "https://example.com/webhooks/mf",
                                                "events": events, "secret": "whsec_mysecretkey123"})
    assert response.status_code == 201, response.text
    assert response.json()["events"] == events


def test_session_connected_and_message_read_are_delivered(moltflow, session_id, receiver, run_jobs):
    webhook = moltflow("POST /webhooks", json={
        "name": "States", "url": receiver.url, "events": ["session.connected", "session.disconnected",
                                                          "message.read"], "secret": "whsec_states_1"}).json()
    moltflow("POST /sessions/{id}/stop", ids={"id": session_id})
    moltflow("POST /sessions/{id}/restart", ids={"id": session_id})
    sent = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": "5511999999999@c.us",
                                                 "message": "Hi"}).json()
    moltflow.http.post("/api/v2/sandbox/status", headers=moltflow.headers, json={
        "session_id": session_id, "message_id": sent["wa_message_id"], "status": "read"})
    run_jobs()
    events = [json.loads(r.body)["event"] for r in receiver.requests]
    assert sorted(events) == ["message.read", "session.connected", "session.disconnected"]
    assert all(moltflow_receiver_accepts("whsec_states_1", r.headers, r.body) for r in receiver.requests)
    assert webhook["id"]


def test_patch_get_test_and_delete(moltflow, receiver, run_jobs):
    webhook = moltflow("POST /webhooks", json={"name": "CRM", "url": receiver.url,
                                               "events": ["message.received"]}).json()
    patched = moltflow("PATCH /webhooks/{id}", ids={"id": webhook["id"]},
                       json={"events": ["message.received", "lead.detected"], "secret": "whsec_rotated_42"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["events"] == ["message.received", "lead.detected"] and "secret" not in patched.json()
    got = moltflow("GET /webhooks/{id}", ids={"id": webhook["id"]}).json()
    assert got["name"] == "CRM" and got["url"] == receiver.url

    test = moltflow("POST /webhooks/{id}/test", ids={"id": webhook["id"]})
    assert test.status_code == 202, test.text
    run_jobs()
    [request] = receiver.requests
    assert json.loads(request.body)["event"] == "webhook.test"
    assert moltflow_receiver_accepts("whsec_rotated_42", request.headers, request.body)

    assert [w["id"] for w in moltflow("GET /webhooks").json()] == [webhook["id"]]
    assert moltflow("DELETE /webhooks/{id}", ids={"id": webhook["id"]}).status_code == 204
    assert moltflow("GET /webhooks/{id}", ids={"id": webhook["id"]}).status_code == 404


def test_unknown_fields_and_null_changes_are_refused(moltflow):
    webhook = moltflow("POST /webhooks", json={"url": "https://example.com/h", "events": ["message.sent"]}).json()
    typo = moltflow("PATCH /webhooks/{id}", ids={"id": webhook["id"]}, json={"event": ["message.sent"]})
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"] == ["body", "event"]
    null = moltflow("PATCH /webhooks/{id}", ids={"id": webhook["id"]}, json={"url": None})
    assert null.status_code == 422
