import base64

import pytest
from sqlmodel import select

from app.messages.models import Message
from tests.servers.fixtures import WAHA_WEBHOOK_SECRET
from tests.servers.waha import waha_event

PHONE = "15551234567"


def send(client, tenant, session_id, **body):
    return client.post("/api/v2/messages/send", headers=tenant.headers,
                       json={"session_id": session_id, "phone": PHONE, "message": "Hello", **body})


def post_event(client, event, session_id, payload, secret=WAHA_WEBHOOK_SECRET):
    body, headers = waha_event(event, f"rb-{session_id}", payload, secret)
    return client.post("/api/v2/gateways/waha/events", content=body, headers=headers)


def test_create_registers_the_session_with_waha(fake_waha, waha_session, settings):
    create = fake_waha.requests_to("POST", "/api/sessions")[0]
    assert create.headers["X-Api-Key"] == fake_waha.api_key
    assert create.json()["name"] == f"rb-{waha_session}" and create.json()["start"] is True


def test_send_text_speaks_wahas_wire_format(client, tenant, fake_waha, waha_session):
    response = send(client, tenant, waha_session)
    assert response.status_code == 200, response.text
    request = fake_waha.requests_to("POST", "/api/sendText")[0]
    assert request.json() == {"session": f"rb-{waha_session}", "chatId": f"{PHONE}@c.us", "text": "Hello"}
    assert request.headers["X-Api-Key"] == fake_waha.api_key
    assert response.json()["result"]["key"]["id"].startswith(f"true_{PHONE}@c.us_")


def test_group_sends_use_the_group_chat_id(db, services, tenant, fake_waha, waha_session):
    from app.messages.service import send_message

    result = send_message(services, tenant.account_id, session_id=waha_session, phone=PHONE,
                          message="Hello all", group_id="120363021234567890@g.us")
    request = fake_waha.requests_to("POST", "/api/sendText")[0]
    assert request.json()["chatId"] == "120363021234567890@g.us"
    assert result.remote_jid == "120363021234567890@g.us" and result.message.chat_id == "120363021234567890@g.us"


@pytest.mark.parametrize(("name", "content_type", "endpoint"), [("a.jpg", "image/jpeg", "/api/sendImage"),
                                                               ("menu.pdf", "application/pdf", "/api/sendFile")])
def test_send_media_uses_send_image_or_send_file(client, tenant, fake_waha, waha_session, media_host, name,
                                                 content_type, endpoint):
    url = media_host.add(name, content_type, b"the file's bytes")
    assert send(client, tenant, waha_session, message="Caption", media_url=url).status_code == 200
    body = fake_waha.requests_to("POST", endpoint)[0].json()
    # WAHA gets the bytes we fetched and checked, not a URL it would fetch again on its own.
    assert body["file"] == {"data": base64.b64encode(b"the file's bytes").decode(), "mimetype": content_type,
                            "filename": name}
    assert body["caption"] == "Caption" and body["chatId"] == f"{PHONE}@c.us"


def test_session_not_connected_on_waha_is_409_and_stored_failed(client, tenant, fake_waha, waha_session, db):
    fake_waha.sessions[f"rb-{waha_session}"]["status"] = "SCAN_QR_CODE"  # the phone was unlinked
    response = send(client, tenant, waha_session)
    assert response.status_code == 409
    assert "not connected" in response.json()["detail"]
    message = db.query(Message).one()
    assert message.status == "failed" and "not connected" in message.error


def test_waha_5xx_is_502_and_timeout_is_504(client, tenant, fake_waha, waha_session, settings):
    fake_waha.fail_status = 500
    assert send(client, tenant, waha_session).status_code == 502
    fake_waha.fail_status = None
    settings.gateway_timeout_seconds = 0.2
    fake_waha.delay_seconds = 1.0
    response = send(client, tenant, waha_session)
    assert response.status_code == 504
    assert "WAHA did not answer" in response.json()["detail"]


def test_a_failed_send_frees_its_idempotency_key(client, tenant, fake_waha, waha_session):
    headers = {**tenant.headers, "Idempotency-Key": "retry-me"}
    body = {"session_id": waha_session, "phone": PHONE, "message": "Hello"}
    fake_waha.fail_status = 503
    assert client.post("/api/v2/messages/send", json=body, headers=headers).status_code == 502
    fake_waha.fail_status = None
    assert client.post("/api/v2/messages/send", json=body, headers=headers).status_code == 200
    assert len(fake_waha.requests_to("POST", "/api/sendText")) == 2


def test_signed_message_event_is_stored_once(client, tenant, waha_session):
    payload = {"id": f"false_{PHONE}@c.us_3EB0AAA", "timestamp": 1767225600, "from": f"{PHONE}@c.us",
               "fromMe": False, "body": "Do you deliver?", "hasMedia": False, "ack": 1,
               "_data": {"notifyName": "Ana"}}
    assert post_event(client, "message", waha_session, payload).json() == {"received": 1, "statuses": 0}
    assert post_event(client, "message", waha_session, payload).json() == {"received": 0, "statuses": 0}
    chat = client.get(f"/api/v2/messages/chats/{PHONE}", headers=tenant.headers).json()
    assert [(m["text"], m["direction"], m["name"]) for m in chat["items"]] == [("Do you deliver?", "in", "Ana")]


def test_our_own_messages_echoed_by_message_any_are_ignored(client, tenant, waha_session):
    payload = {"id": "true_x", "from": f"{PHONE}@c.us", "fromMe": True, "body": "echo", "hasMedia": False}
    assert post_event(client, "message.any", waha_session, payload).json()["received"] == 0


def test_ack_events_update_the_status(client, tenant, fake_waha, waha_session):
    message_id = send(client, tenant, waha_session).json()["result"]["key"]["id"]
    post_event(client, "message.ack", waha_session, {"id": message_id, "from": f"{PHONE}@c.us", "fromMe": True,
                                                     "ack": 3, "ackName": "READ"})
    post_event(client, "message.ack", waha_session, {"id": message_id, "fromMe": True, "ack": 2,
                                                     "ackName": "DEVICE"})  # late: must not go backwards
    chat = client.get(f"/api/v2/messages/chats/{PHONE}", headers=tenant.headers).json()
    assert chat["items"][0]["status"] == "read"


def test_session_status_events_update_the_session(client, tenant, waha_session):
    post_event(client, "session.status", waha_session, {"name": f"rb-{waha_session}", "status": "FAILED"})
    session = client.get("/api/v2/sessions", headers=tenant.headers).json()[0]
    assert session["status"] == "failed"


def test_events_without_a_valid_signature_are_refused(client, waha_session, settings):
    payload = {"id": "x", "from": f"{PHONE}@c.us", "body": "forged"}
    assert post_event(client, "message", waha_session, payload, secret=None).status_code == 401
    forged = post_event(client, "message", waha_session, payload, secret="guess")
    assert forged.json() == {"detail": "Invalid X-Webhook-Hmac signature (expected HMAC-SHA512 of the body)"}
    settings.waha_webhook_secret = ""
    unconfigured = post_event(client, "message", waha_session, payload)
    assert unconfigured.status_code == 503
    assert "REPLYBASE_WAHA_WEBHOOK_SECRET" in unconfigured.json()["detail"]


def test_events_for_unknown_sessions_are_acknowledged_and_ignored(client, fake_waha):
    body, headers = waha_event("message", "someone-else", {"id": "x", "from": "1@c.us"}, WAHA_WEBHOOK_SECRET)
    assert client.post("/api/v2/gateways/waha/events", content=body, headers=headers).json()["received"] == 0


def test_group_message_keeps_the_group_and_its_author():
    from app.config import Settings
    from app.gateways.waha import WahaGateway

    [events] = WahaGateway(Settings(_env_file=None)).parse_event({
        "event": "message", "session": "default",
        "payload": {"id": "false_120363021234567890@g.us_AAA", "from": "120363021234567890@g.us",
                    "participant": "447700900123@c.us", "body": "hi all", "fromMe": False}})
    [message] = events.messages
    assert message.group_id == "120363021234567890@g.us"
    assert message.phone == "447700900123"


def test_a_session_base_url_may_not_reach_private_addresses(client, tenant, fake_waha, settings, db):
    from app.sessions.models import WhatsAppSession

    settings.allow_private_urls = False
    private = client.post("/api/v2/sessions", headers=tenant.headers,
                          json={"name": "Internal", "gateway": "waha", "config": {"base_url": "http://127.0.0.1:9"}})
    assert private.status_code == 422 and "WAHA base_url" in private.json()["detail"]
    not_http = client.post("/api/v2/sessions", headers=tenant.headers,
                           json={"name": "File", "gateway": "waha", "config": {"base_url": "file:///etc"}})
    assert not_http.status_code == 422
    assert db.exec(select(WhatsAppSession)).all() == []
    # The operator's own WAHA server (REPLYBASE_WAHA_URL) is trusted wherever it lives.
    operators = client.post("/api/v2/sessions", headers=tenant.headers,
                            json={"name": "Shop", "gateway": "waha", "config": {"base_url": fake_waha.url}})
    assert operators.status_code == 201, operators.text


@pytest.fixture
def own_waha(fake_waha, settings):
    """A second WAHA server that an API user brings for their session (not the operator's REPLYBASE_WAHA_URL)."""
    from tests.servers.waha import FakeWaha

    settings.public_url = "https://replybase.example.com"
    server = FakeWaha(api_key="users-own-key").start()
    server.pair_phone = "15550008888"
    yield server
    server.stop()


def test_a_users_own_waha_server_never_gets_the_operators_secrets(client, tenant, other_tenant, make_tenant,
                                                                  fake_waha, own_waha):
    session_id = client.post("/api/v2/sessions", headers=tenant.headers, json={
        "name": "Own", "gateway": "waha",
        "config": {"base_url": own_waha.url, "api_key": "users-own-key"}}).json()["id"]
    create = own_waha.requests_to("POST", "/api/sessions")[0]
    assert create.headers["X-Api-Key"] == "users-own-key"
    [hook] = create.json()["config"]["webhooks"]
    own_secret = hook["hmac"]["key"]
    assert own_secret and own_secret != WAHA_WEBHOOK_SECRET

    # Its events are checked with its own key; that key cannot sign events for other sessions.
    message = {"id": "true_1@c.us_A", "from": f"{PHONE}@c.us", "body": "hi", "fromMe": False}
    assert post_event(client, "message", session_id, message, secret=own_secret).json()["received"] == 1
    assert post_event(client, "message", session_id, message | {"id": "x2"}).status_code == 401
    someone_elses = client.post("/api/v2/sessions", json={"name": "Shop", "gateway": "waha"},
                                headers=other_tenant.headers).json()["id"]
    forged = post_event(client, "message", someone_elses, message | {"id": "x3"}, secret=own_secret)
    assert forged.status_code == 401

    # Without a key of its own, the user's server is called with none, not with the operator's.
    client.post("/api/v2/sessions", headers=make_tenant().headers,
                json={"name": "Keyless", "gateway": "waha", "config": {"base_url": own_waha.url}})
    assert "X-Api-Key" not in own_waha.requests_to("POST", "/api/sessions")[-1].headers


def test_two_sessions_cannot_share_a_waha_session_name(client, tenant, other_tenant, fake_waha):
    body = {"name": "Shop", "gateway": "waha", "config": {"session": "default"}}
    assert client.post("/api/v2/sessions", json=body, headers=tenant.headers).status_code == 201
    taken = client.post("/api/v2/sessions", json=body, headers=other_tenant.headers)
    assert taken.status_code == 409 and "'default'" in taken.json()["detail"]
