import time

import pytest

from tests.servers.fixtures import META_APP_SECRET, META_VERIFY_TOKEN
from tests.servers.meta import meta_webhook

PHONE = "15551234567"


@pytest.fixture
def meta_session(client, tenant, fake_meta):
    config = {"phone_number_id": fake_meta.phone_number_id, "access_token": fake_meta.token}
    response = client.post("/api/v2/sessions", json={"name": "Cloud", "gateway": "meta", "config": config},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def send(client, tenant, session_id, **body):
    return client.post("/api/v2/messages/send", headers=tenant.headers,
                       json={"session_id": session_id, "phone": PHONE, "message": "Hello", **body})


def customer_writes(client, fake_meta, message_id="wamid.IN1", text="Hi there", secret=META_APP_SECRET):
    body, headers = meta_webhook(
        fake_meta.phone_number_id, app_secret=secret,
        contacts=[{"profile": {"name": "Ana"}, "wa_id": PHONE}],
        messages=[{"from": PHONE, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                   "text": {"body": text}}])
    return client.post("/api/v2/gateways/meta/webhook", content=body, headers=headers)


def test_free_form_send_outside_the_24h_window_is_refused_before_calling_meta(client, tenant, fake_meta,
                                                                              meta_session):
    response = send(client, tenant, meta_session)
    assert response.status_code == 422
    assert "24 hours" in response.json()["detail"]
    assert fake_meta.sent == []


def test_send_inside_the_window_speaks_the_cloud_api(client, tenant, fake_meta, meta_session):
    customer_writes(client, fake_meta)
    response = send(client, tenant, meta_session)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["key"]["id"].startswith("wamid.")
    request = fake_meta.requests_to("POST", f"/v21.0/{fake_meta.phone_number_id}/messages")[0]
    assert request.headers["Authorization"] == f"Bearer {fake_meta.token}"
    assert request.json() == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE,
                              "type": "text", "text": {"body": "Hello"}}


def test_media_is_sent_by_link_with_caption(client, tenant, fake_meta, meta_session, media_host):
    customer_writes(client, fake_meta)
    url = media_host.add("menu.pdf", "application/pdf", b"%PDF")
    assert send(client, tenant, meta_session, message="Menu", media_url=url).status_code == 200
    assert fake_meta.sent[0]["type"] == "document"
    assert fake_meta.sent[0]["document"] == {"link": url, "caption": "Menu", "filename": "menu.pdf"}


def test_meta_reengagement_error_is_a_clear_422(client, tenant, fake_meta, meta_session):
    customer_writes(client, fake_meta)
    fake_meta.outside_window.add(PHONE)  # Meta's clock disagrees with ours
    response = send(client, tenant, meta_session)
    assert response.status_code == 422
    assert "24 hours" in response.json()["detail"]


def test_meta_5xx_and_expired_token_are_502(client, tenant, fake_meta, meta_session, db):
    customer_writes(client, fake_meta)
    fake_meta.fail_status = 500
    assert "not JSON" in send(client, tenant, meta_session).json()["detail"]
    fake_meta.fail_status = None
    fake_meta.token = "rotated"
    response = send(client, tenant, meta_session)
    assert response.status_code == 502
    assert "access_token" in response.json()["detail"]


def test_inbound_messages_are_stored_with_the_contact_name_once(client, tenant, fake_meta, meta_session):
    assert customer_writes(client, fake_meta).json() == {"received": 1, "statuses": 0}
    assert customer_writes(client, fake_meta).json() == {"received": 0, "statuses": 0}
    chats = client.get("/api/v2/messages/chats", headers=tenant.headers).json()["items"]
    assert [(c["phone"], c["name"], c["last_message"]) for c in chats] == [(PHONE, "Ana", "Hi there")]


def test_statuses_update_the_message_and_never_go_backwards(client, tenant, fake_meta, meta_session):
    customer_writes(client, fake_meta)
    message_id = send(client, tenant, meta_session).json()["result"]["key"]["id"]
    for status in ("read", "delivered"):
        body, headers = meta_webhook(fake_meta.phone_number_id, app_secret=META_APP_SECRET, statuses=[
            {"id": message_id, "status": status, "timestamp": "1767225700", "recipient_id": PHONE}])
        client.post("/api/v2/gateways/meta/webhook", content=body, headers=headers)
    items = client.get(f"/api/v2/messages/chats/{PHONE}", headers=tenant.headers).json()["items"]
    assert [m["status"] for m in items if m["direction"] == "out"] == ["read"]


def test_unsigned_or_forged_callbacks_are_refused(client, fake_meta, meta_session):
    assert customer_writes(client, fake_meta, secret=None).status_code == 401
    forged = customer_writes(client, fake_meta, secret="not-the-app-secret")
    assert forged.json() == {"detail": "Invalid X-Hub-Signature-256 signature"}


def test_webhook_verification_echoes_the_challenge(client, fake_meta):
    params = {"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "1158201444"}
    response = client.get("/api/v2/gateways/meta/webhook", params=params)
    assert (response.status_code, response.text) == (200, "1158201444")
    wrong = client.get("/api/v2/gateways/meta/webhook", params={**params, "hub.verify_token": "guess"})
    assert wrong.status_code == 403


def test_group_messages_arrive_in_the_group_chat_and_answers_go_to_the_group(client, tenant, fake_meta,
                                                                             meta_session, db, services):
    from app.messages.service import send_message

    body, headers = meta_webhook(fake_meta.phone_number_id, app_secret=META_APP_SECRET, messages=[
        {"from": PHONE, "group_id": "Y2FwaV9ncm91cDoxNTU1", "id": "wamid.G1", "timestamp": str(int(time.time())),
         "type": "text", "text": {"body": "Hi group"}}])
    assert client.post("/api/v2/gateways/meta/webhook", content=body, headers=headers).json()["received"] == 1
    [group] = client.get("/api/v2/messages/chats", headers=tenant.headers).json()["items"]
    assert group["chat_id"] == "Y2FwaV9ncm91cDoxNTU1@g.us" and group["is_group"] is True

    result = send_message(services, tenant.account_id, session_id=meta_session, phone=PHONE,
                          message="Hello all", group_id=group["chat_id"])
    assert result.remote_jid == group["chat_id"]
    assert fake_meta.sent[-1] == {"messaging_product": "whatsapp", "recipient_type": "group",
                                  "to": "Y2FwaV9ncm91cDoxNTU1", "type": "text", "text": {"body": "Hello all"}}


def test_cloud_api_sessions_have_no_groups_api(client, tenant, fake_meta, meta_session):
    for method, path, body in (
            ("GET", f"/groups/available/{meta_session}", None),
            ("POST", "/groups", {"session_id": meta_session, "wa_group_id": "120363021234567890@g.us"}),
            ("POST", "/groups/create", {"session_id": meta_session, "name": "Launch", "participants": [PHONE]}),
            ("POST", "/groups/120363021234567890@g.us/participants/add",
             {"session_id": meta_session, "participants": [PHONE]})):
        response = client.request(method, "/api/v2" + path, json=body, headers=tenant.headers)
        assert response.status_code == 422, (path, response.text)
        assert "Cloud API" in response.json()["detail"] and "groups" in response.json()["detail"]
    assert not [r for r in fake_meta.requests if "group" in r.path]  # refused here, Meta never asked


def test_a_poll_on_the_cloud_api_is_refused_before_anything_is_stored(client, tenant, fake_meta, meta_session, db):
    from app.messages.models import Message

    customer_writes(client, fake_meta)
    response = client.post("/api/v2/messages/send/poll", headers=tenant.headers, json={
        "session_id": meta_session, "chat_id": f"{PHONE}@c.us", "title": "Lunch?", "options": ["Yes", "No"]})
    assert response.status_code == 422 and "no poll" in response.json()["detail"]
    assert fake_meta.sent == []
    assert [m.direction for m in db.query(Message).all()] == ["in"]


def test_sticker_and_gif_speak_the_cloud_api(client, tenant, fake_meta, meta_session, media_host):
    customer_writes(client, fake_meta)
    sticker = media_host.add("ok.webp", "image/webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ")
    clip = media_host.add("party.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42")
    assert client.post("/api/v2/messages/send/sticker", headers=tenant.headers, json={
        "session_id": meta_session, "phone": PHONE, "media_url": sticker}).status_code == 200
    assert client.post("/api/v2/messages/send/gif", headers=tenant.headers, json={
        "session_id": meta_session, "phone": PHONE, "media_url": clip, "caption": "Yay"}).status_code == 200
    assert fake_meta.sent == [
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE, "type": "sticker",
         "sticker": {"link": sticker}},
        {"messaging_product": "whatsapp", "recipient_type": "individual", "to": PHONE, "type": "video",
         "video": {"link": clip, "caption": "Yay"}}]
