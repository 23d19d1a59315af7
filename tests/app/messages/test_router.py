import pytest

from app.messages.models import Message


@pytest.fixture
def session_id(client, tenant):
    return client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]


def send(client, tenant, session_id, headers=None, **body):
    body = {"session_id": session_id, "phone": "15551234567", "message": "Hello", **body}
    body = {name: value for name, value in body.items() if value is not None}
    return client.post("/api/v2/messages/send", json=body, headers={**tenant.headers, **(headers or {})})


def test_send_answers_in_the_contract_shape(client, tenant, session_id):
    response = send(client, tenant, session_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["result"]["key"]["id"].startswith("wamid.")
    assert body["result"]["key"]["remoteJid"] == "15551234567@s.whatsapp.net"


@pytest.mark.parametrize("phone", ["+1 (555) 123-4567", "+15551234567", "1 555 123 4567", "1-555-123-4567",
                                   "15551234567@c.us", "15551234567@s.whatsapp.net"])
def test_a_phone_written_any_usual_way_reaches_the_same_chat(client, tenant, session_id, phone):
    response = send(client, tenant, session_id, phone=phone)
    assert response.status_code == 200, response.text
    assert response.json()["result"]["key"]["remoteJid"] == "15551234567@s.whatsapp.net"
    assert response.json()["chat_id"] == "15551234567@c.us"


@pytest.mark.parametrize("phone", ["abc", "", "12345", "1234567890123456", "١٥٥٥١٢٣٤٥٦٧", "+1 555 abc 4567",
                                   "1555+1234567"])
def test_a_phone_that_is_not_one_is_422_naming_it(client, tenant, session_id, phone):
    response = send(client, tenant, session_id, phone=phone)
    assert response.status_code == 422
    assert repr(phone) in str(response.json()["detail"]) and "country code and number" in response.text


def test_chat_id_addresses_a_contact_or_a_group(client, tenant, session_id):
    contact = send(client, tenant, session_id, phone=None, chat_id="5511999999999@c.us")
    assert contact.status_code == 200, contact.text
    assert contact.json()["result"]["key"]["remoteJid"] == "5511999999999@s.whatsapp.net"
    group = send(client, tenant, session_id, phone=None, chat_id="120363012345678901@g.us")
    assert group.status_code == 200, group.text
    assert group.json()["chat_id"] == "120363012345678901@g.us"
    assert group.json()["result"]["key"]["remoteJid"] == "120363012345678901@g.us"
    chat = client.get("/api/v2/messages/chats/120363012345678901@g.us", headers=tenant.headers).json()
    assert chat["items"][0]["text"] == "Hello"


def test_phone_and_chat_id_naming_different_chats_is_422(client, tenant, session_id):
    response = send(client, tenant, session_id, chat_id="5511999999999@c.us")
    assert response.status_code == 422 and "different chats" in response.text
    assert send(client, tenant, session_id, chat_id="+1 555 123 4567").status_code == 200


def test_without_a_recipient_the_contract_error_names_phone(client, tenant, session_id):
    response = send(client, tenant, session_id, phone=None)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "phone"]


def test_an_unknown_field_is_422_naming_it(client, tenant, session_id):
    response = send(client, tenant, session_id, mesage="typo")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "mesage"] and "unknown field" in response.text


def test_message_length_is_1_to_4096(client, tenant, session_id):
    assert send(client, tenant, session_id, message="x" * 4096).status_code == 200
    too_long = send(client, tenant, session_id, message="x" * 4097)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "message"]
    assert send(client, tenant, session_id, message="").status_code == 422


def test_a_stopped_session_refuses_with_a_clear_4xx(client, tenant, session_id):
    client.post(f"/api/v2/sessions/{session_id}/stop", headers=tenant.headers)
    response = send(client, tenant, session_id)
    assert response.status_code == 409
    assert "stopped, not working" in response.json()["detail"] and "/restart" in response.json()["detail"]


def test_unknown_or_foreign_session_is_404(client, tenant, other_tenant, session_id):
    assert send(client, tenant, "nope").json() == {"detail": "Session not found"}
    assert send(client, other_tenant, session_id).status_code == 404


def test_idempotency_key_returns_the_first_result_without_sending_twice(client, tenant, session_id, db):
    first = send(client, tenant, session_id, headers={"Idempotency-Key": "order-42"})
    again = send(client, tenant, session_id, headers={"Idempotency-Key": "order-42"})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(db.exec(Message.__table__.select()).all()) == 1
    other = send(client, tenant, session_id, headers={"Idempotency-Key": "order-43"})
    assert other.json()["result"]["key"]["id"] != first.json()["result"]["key"]["id"]


def test_idempotency_key_reused_for_another_message_is_409(client, tenant, session_id):
    send(client, tenant, session_id, headers={"Idempotency-Key": "k1"})
    response = send(client, tenant, session_id, message="Different", headers={"Idempotency-Key": "k1"})
    assert response.status_code == 409
    assert "different message" in response.json()["detail"]


def test_idempotency_keys_are_per_account(client, tenant, other_tenant, session_id):
    other_session = client.post("/api/v2/sessions", json={"name": "B"}, headers=other_tenant.headers).json()["id"]
    first = send(client, tenant, session_id, headers={"Idempotency-Key": "same"})
    second = send(client, other_tenant, other_session, headers={"Idempotency-Key": "same"})
    assert second.status_code == 200
    assert second.json()["result"]["key"]["id"] != first.json()["result"]["key"]["id"]


def test_media_of_a_listed_type_is_sent_and_stored(client, tenant, session_id, media_host):
    url = media_host.add("photo.png", "image/png", b"\x89PNG" + b"0" * 100)
    response = send(client, tenant, session_id, message="Our menu", media_url=url)
    assert response.status_code == 200, response.text
    message = client.get("/api/v2/messages/chats/15551234567", headers=tenant.headers).json()["items"][0]
    assert (message["media_url"], message["media_type"]) == (url, "image/png")


@pytest.mark.parametrize(("name", "content_type"), [("tool.exe", "application/x-msdownload"),
                                                     ("page.html", "text/html"), ("data", "")])
def test_media_of_other_types_is_refused_before_sending(client, tenant, session_id, media_host, name,
                                                       content_type):
    url = media_host.add(name, content_type, b"MZ....")
    response = send(client, tenant, session_id, media_url=url)
    assert response.status_code == 422
    assert "supported: JPG, PNG, GIF, PDF, DOCX, MP3, M4A, MP4" in response.json()["detail"]


def test_media_type_can_come_from_the_extension(client, tenant, session_id, media_host):
    url = media_host.add("brochure.pdf", "application/octet-stream", b"%PDF-1.7")
    assert send(client, tenant, session_id, media_url=url).status_code == 200


def test_media_over_the_size_cap_is_413(client, tenant, session_id, media_host, settings):
    settings.max_media_mb = 1
    url = media_host.add("big.mp4", "video/mp4", b"0" * (2**20 + 1))
    response = send(client, tenant, session_id, media_url=url)
    assert response.status_code == 413
    assert "REPLYBASE_MAX_MEDIA_MB" in response.json()["detail"]


def test_missing_media_is_a_clear_422(client, tenant, session_id, media_host):
    response = send(client, tenant, session_id, media_url=media_host.url + "/files/gone.jpg")
    assert response.status_code == 422
    assert "HTTP 404" in response.json()["detail"]


@pytest.mark.parametrize("url", ["http://127.0.0.1/a.jpg", "http://localhost/a.jpg", "http://10.0.0.5/a.jpg",
                                 "http://169.254.169.254/latest/meta-data", "http://[::1]/a.png",
                                 "file:///etc/passwd"])
def test_private_media_urls_are_refused(client, tenant, session_id, settings, url):
    settings.allow_private_urls = False
    response = send(client, tenant, session_id, media_url=url)
    assert response.status_code == 422
    assert "media_url" in response.json()["detail"]


def test_chats_list_newest_first_with_the_last_message(client, tenant, session_id):
    send(client, tenant, session_id, phone="15550000001", message="first")
    send(client, tenant, session_id, phone="15550000002", message="second")
    send(client, tenant, session_id, phone="15550000001", message="third")
    page = client.get("/api/v2/messages/chats", headers=tenant.headers).json()
    assert page["total"] == 2
    assert [c["chat_id"] for c in page["items"]] == ["15550000001@c.us", "15550000002@c.us"]
    assert page["items"][0]["last_message"] == "third" and page["items"][0]["message_count"] == 2
    second_page = client.get("/api/v2/messages/chats?limit=1&offset=1", headers=tenant.headers).json()
    assert [c["phone"] for c in second_page["items"]] == ["15550000002"]


def test_chat_messages_newest_first_paginated_with_direction_status_and_times(client, tenant, session_id):
    for text in ("one", "two", "three"):
        send(client, tenant, session_id, message=text)
    page = client.get("/api/v2/messages/chats/15551234567@c.us?limit=2", headers=tenant.headers).json()
    assert page["total"] == 3
    assert [m["text"] for m in page["items"]] == ["three", "two"]
    message = page["items"][0]
    assert (message["direction"], message["status"]) == ("out", "sent")
    assert message["message_id"].startswith("wamid.") and message["timestamp"] and message["created_at"]
    rest = client.get("/api/v2/messages/chats/15551234567?limit=2&offset=2", headers=tenant.headers).json()
    assert [m["text"] for m in rest["items"]] == ["one"]


def test_chats_are_opt_in_per_session(client, tenant, session_id):
    send(client, tenant, session_id)
    client.patch(f"/api/v2/sessions/{session_id}", json={"chats_enabled": False}, headers=tenant.headers)
    response = client.get(f"/api/v2/messages/chats?session_id={session_id}", headers=tenant.headers)
    assert response.status_code == 403
    assert '"chats_enabled": true' in response.json()["detail"]
    assert client.get("/api/v2/messages/chats", headers=tenant.headers).json()["items"] == []
    assert client.get("/api/v2/messages/chats/15551234567", headers=tenant.headers).status_code == 404


def test_unknown_chat_is_404(client, tenant, session_id):
    assert client.get("/api/v2/messages/chats/15559999999", headers=tenant.headers).json() == {
        "detail": "Chat not found"}
