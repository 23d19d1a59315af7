import pytest

PHONE = "15551234567"


@pytest.fixture
def session_id(client, tenant):
    return client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]


def inbound(client, tenant, session_id, **body):
    return client.post("/api/v2/sandbox/inbound", headers=tenant.headers,
                       json={"session_id": session_id, "phone": PHONE, "message": "Are you open?", **body})


def chat(client, tenant):
    return client.get(f"/api/v2/messages/chats/{PHONE}", headers=tenant.headers).json()["items"]


def test_inbound_message_lands_in_chats(client, tenant, session_id):
    response = inbound(client, tenant, session_id, name="Ana")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stored"] is True and body["message_id"].startswith("wamid.")
    assert body["message"]["direction"] == "in"
    assert [(m["text"], m["name"]) for m in chat(client, tenant)] == [("Are you open?", "Ana")]


def test_duplicate_delivery_is_stored_once(client, tenant, session_id):
    twice = inbound(client, tenant, session_id, deliveries=2, message_id="wamid.DUP1").json()
    assert (twice["deliveries"], twice["stored"]) == (2, True)
    again = inbound(client, tenant, session_id, message_id="wamid.DUP1").json()
    assert again["stored"] is False
    assert len(chat(client, tenant)) == 1


def test_out_of_order_delivery_is_shown_in_the_order_it_was_written(client, tenant, session_id):
    inbound(client, tenant, session_id, message="second", timestamp="2026-02-10T08:05:00Z")
    inbound(client, tenant, session_id, message="first", timestamp="2026-02-10T08:00:00+00:00")
    assert [m["text"] for m in chat(client, tenant)] == ["second", "first"]


def test_a_status_callback_after_the_reply_does_not_move_backwards(client, tenant, session_id):
    sent = client.post("/api/v2/messages/send", headers=tenant.headers,
                       json={"session_id": session_id, "phone": PHONE, "message": "We open at 9"}).json()
    message_id = sent["result"]["key"]["id"]
    status = {"session_id": session_id, "message_id": message_id}
    read = client.post("/api/v2/sandbox/status", json={**status, "status": "read"}, headers=tenant.headers)
    assert read.json() == {"applied": True, "status": "read"}
    inbound(client, tenant, session_id, message="Thanks!")  # the customer replied...
    late = client.post("/api/v2/sandbox/status", json={**status, "status": "delivered"}, headers=tenant.headers)
    assert late.json() == {"applied": False, "status": "read"}  # ...then the delivery receipt arrived
    assert [(m["text"], m["status"]) for m in chat(client, tenant)] == [("Thanks!", "delivered"),
                                                                        ("We open at 9", "read")]


def test_status_for_an_unknown_message_is_404(client, tenant, session_id):
    response = client.post("/api/v2/sandbox/status", headers=tenant.headers,
                           json={"session_id": session_id, "message_id": "wamid.nope", "status": "read"})
    assert response.status_code == 404


def test_inbound_is_validated_like_a_send(client, tenant, session_id):
    response = inbound(client, tenant, session_id, phone="+1 (555)")
    assert response.status_code == 422
    assert "country code and number" in str(response.json()["detail"])
    assert inbound(client, tenant, session_id, timestamp="2026-02-10T08:00:00").status_code == 422


def test_stopped_sessions_receive_nothing(client, tenant, session_id):
    client.post(f"/api/v2/sessions/{session_id}/stop", headers=tenant.headers)
    assert inbound(client, tenant, session_id).status_code == 409


def test_sandbox_off_means_404(client, tenant, session_id, settings):
    settings.sandbox = False
    assert inbound(client, tenant, session_id).json() == {"detail": "Not Found"}


def test_only_sandbox_sessions_take_sandbox_messages(client, make_tenant, fake_waha):
    owner = make_tenant()
    fake_waha.pair_phone = "15550009999"
    waha_id = client.post("/api/v2/sessions", json={"name": "W", "gateway": "waha"}, headers=owner.headers).json()["id"]
    response = inbound(client, owner, waha_id)
    assert response.status_code == 422
    assert "uses the waha gateway" in response.json()["detail"]


def test_inbound_reaches_webhook_receivers_signed(client, tenant, session_id, run_jobs):
    from tests.servers.receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    try:
        client.post("/api/v2/webhooks", json={"url": receiver.url, "events": ["message.received"]},
                    headers=tenant.headers)
        inbound(client, tenant, session_id)
        run_jobs()
        assert [r.headers.get("X-Webhook-Event") for r in receiver.requests] == ["message.received"]
        assert receiver.requests[0].headers.get("X-Webhook-Signature")
    finally:
        receiver.stop()
