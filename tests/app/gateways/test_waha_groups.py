"""WAHA's groups API and its poll, sticker and video sends, against the local WAHA server in its wire format."""

import base64

import pytest

from app.messages.models import Message
from tests.servers.fixtures import WAHA_WEBHOOK_SECRET
from tests.servers.waha import waha_event

GROUP = "120363021234567890@g.us"
PHONE = "15551234567"


def api(client, tenant, method, path, **kwargs):
    return client.request(method, "/api/v2" + path, headers=tenant.headers, **kwargs)


@pytest.mark.parametrize("waha_engine", ["WEBJS", "NOWEB", "GOWS"])
def test_available_groups_read_each_engines_shape(client, tenant, fake_waha, waha_session, waha_engine):
    fake_waha.engine = waha_engine
    fake_waha.add_group(f"rb-{waha_session}", GROUP, "Tenants Block A",
                        {"15550009999": "superadmin", PHONE: "admin", "447700900123": "member"})
    fake_waha.add_group(f"rb-{waha_session}", "120363000000000002@g.us", "Small", {"15550009999": "member"})
    response = api(client, tenant, "GET", f"/groups/available/{waha_session}")
    assert response.status_code == 200, response.text
    assert [(g["wa_group_id"], g["name"], g["participant_count"]) for g in response.json()["items"]] == [
        (GROUP, "Tenants Block A", 3), ("120363000000000002@g.us", "Small", 1)]
    assert fake_waha.requests_to("GET", f"/api/rb-{waha_session}/groups")[0].headers["X-Api-Key"] == fake_waha.api_key


def test_a_session_not_connected_on_waha_is_409(client, tenant, fake_waha, waha_session):
    fake_waha.sessions[f"rb-{waha_session}"]["status"] = "SCAN_QR_CODE"
    response = api(client, tenant, "GET", f"/groups/available/{waha_session}")
    assert response.status_code == 409 and "not connected" in response.json()["detail"]


def test_a_monitored_waha_group_sends_group_message_for_a_keyword(client, tenant, fake_waha, waha_session, db):
    fake_waha.add_group(f"rb-{waha_session}", GROUP, "Tenants", {PHONE: "member"})
    created = api(client, tenant, "POST", "/groups", json={"session_id": waha_session, "wa_group_id": GROUP,
                                                           "monitor_mode": "keywords", "monitor_keywords": ["leak"]})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Tenants"  # the group's WhatsApp name
    for message_id, text in (("false_g_1", "Morning all"), ("false_g_2", "There is a LEAK in flat 3")):
        body, headers = waha_event("message", f"rb-{waha_session}", {
            "id": message_id, "from": GROUP, "participant": f"{PHONE}@c.us", "body": text, "fromMe": False},
            WAHA_WEBHOOK_SECRET)
        assert client.post("/api/v2/gateways/waha/events", content=body, headers=headers).status_code == 200
    group = api(client, tenant, "GET", f"/groups/{created.json()['id']}").json()
    assert group["message_count"] == 1
    captured = db.get(Message, group["last_message_id"])
    assert captured.text == "There is a LEAK in flat 3" and captured.chat_id == GROUP


def test_create_group_and_change_participants_speak_wahas_wire_format(client, tenant, fake_waha, waha_session):
    created = api(client, tenant, "POST", "/groups/create",
                  json={"session_id": waha_session, "name": "Launch", "participants": ["+44 7700 900123"]})
    assert created.status_code == 201, created.text
    request = fake_waha.requests_to("POST", f"/api/rb-{waha_session}/groups")[0]
    assert request.json() == {"name": "Launch", "participants": [{"id": "447700900123@c.us"}]}
    wa_group_id = created.json()["wa_group_id"]
    assert wa_group_id in fake_waha.groups[f"rb-{waha_session}"] and created.json()["name"] == "Launch"

    for path, role in (("participants/add", "member"), ("admin/promote", "admin"), ("admin/demote", "member")):
        response = api(client, tenant, "POST", f"/groups/{wa_group_id}/{path}",
                       json={"session_id": waha_session, "participants": [f"{PHONE}@c.us"]})
        assert response.status_code == 200, response.text
        sent = fake_waha.requests_to("POST", f"/api/rb-{waha_session}/groups/{wa_group_id}/{path}")[-1]
        assert sent.json() == {"participants": [{"id": f"{PHONE}@c.us"}]}
        assert fake_waha.groups[f"rb-{waha_session}"][wa_group_id]["participants"][PHONE] == role
    assert api(client, tenant, "POST", f"/groups/{wa_group_id}/participants/remove",
               json={"session_id": waha_session, "participants": [PHONE]}).status_code == 200
    assert PHONE not in fake_waha.groups[f"rb-{waha_session}"][wa_group_id]["participants"]
    missing = api(client, tenant, "POST", "/groups/120363000000000009@g.us/participants/add",
                  json={"session_id": waha_session, "participants": [PHONE]})
    assert missing.status_code == 404


def test_poll_goes_to_send_poll(client, tenant, fake_waha, waha_session):
    response = api(client, tenant, "POST", "/messages/send/poll", json={
        "session_id": waha_session, "chat_id": f"{PHONE}@c.us", "title": "Meeting time?",
        "options": ["Morning", "Evening"], "allow_multiple": True})
    assert response.status_code == 200, response.text
    request = fake_waha.requests_to("POST", "/api/sendPoll")[0]
    assert request.json() == {"session": f"rb-{waha_session}", "chatId": f"{PHONE}@c.us",
                              "poll": {"name": "Meeting time?", "options": ["Morning", "Evening"],
                                       "multipleAnswers": True}}
    assert response.json()["wa_message_id"].startswith(f"true_{PHONE}@c.us_")


def test_sticker_and_gif_go_to_send_sticker_and_send_video(client, tenant, fake_waha, waha_session, media_host):
    webp, mp4 = b"RIFF\x10\x00\x00\x00WEBPVP8 ", b"\x00\x00\x00\x18ftypmp42"
    sticker = media_host.add("ok.webp", "image/webp", webp)
    clip = media_host.add("party.mp4", "video/mp4", mp4)
    assert api(client, tenant, "POST", "/messages/send/sticker",
               json={"session_id": waha_session, "chat_id": GROUP, "media_url": sticker}).status_code == 200
    assert fake_waha.requests_to("POST", "/api/sendSticker")[0].json() == {
        "session": f"rb-{waha_session}", "chatId": GROUP,
        "file": {"data": base64.b64encode(webp).decode(), "mimetype": "image/webp", "filename": "ok.webp"}}
    gif = {"session_id": waha_session, "phone": PHONE, "media_url": clip, "caption": "Yay"}
    assert api(client, tenant, "POST", "/messages/send/gif", json=gif).status_code == 200
    body = fake_waha.requests_to("POST", "/api/sendVideo")[0].json()
    assert body["file"] == {"data": base64.b64encode(mp4).decode(), "mimetype": "video/mp4", "filename": "party.mp4"}
    assert (body["chatId"], body["caption"], body["asNote"]) == (f"{PHONE}@c.us", "Yay", False)


def test_an_interrupted_poll_on_waha_ends_unknown_not_sent_twice(services, tenant, fake_waha, waha_session, db):
    from app.messages.reconcile import settle_in_doubt

    row = Message(account_id=tenant.account_id, session_id=waha_session, chat_id=f"{PHONE}@c.us", direction="out",
                  phone=PHONE, text="Meeting time?", message_type="poll",
                  payload={"options": ["A", "B"], "allow_multiple": False})
    db.add(row)
    db.commit()
    assert settle_in_doubt(services, row.id) == "unknown"
    assert fake_waha.requests_to("POST", "/api/sendPoll") == []
