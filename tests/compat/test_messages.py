"""The core guide's message requests, and the example scripts' send (send_message.py, quickstart.py)."""


def test_send_with_chat_id_as_documented(moltflow, session_id):
    response = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": "5511999999999@c.us",
                                                     "message": "Hello from MoltFlow!"})
    assert response.status_code == 200, response.text  # MoltFlow documents 201; 200 is the seed guide's
    body = response.json()
    assert {"id", "chat_id", "wa_message_id", "direction", "message_type", "content_preview", "status",
            "sent_at", "created_at"} <= set(body)
    assert (body["chat_id"], body["direction"], body["message_type"], body["status"]) == (
        "5511999999999@c.us", "outbound", "text", "sent")
    assert body["content_preview"] == "Hello from MoltFlow!"
    assert body["result"]["key"]["id"] == body["wa_message_id"]  # the seed guide's shape, in the same answer


def test_send_into_a_group_chat(moltflow, session_id):
    response = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": "120363012345678901@g.us",
                                                     "message": "Hello group!"})
    assert response.status_code == 200, response.text
    assert response.json()["chat_id"] == "120363012345678901@g.us"


def test_chats_of_a_session_a_chat_and_one_message(moltflow, session_id):
    sent = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": "5511999999999@c.us",
                                                 "message": "Hi"}).json()
    chats = moltflow("GET /messages/chats/{session_id}", ids={"session_id": session_id})
    assert chats.status_code == 200, chats.text
    assert [c["chat_id"] for c in chats.json()["items"]] == ["5511999999999@c.us"]
    chat = moltflow("GET /messages/chat/{session_id}/{chat_id}",
                    ids={"session_id": session_id, "chat_id": "5511999999999@c.us"}).json()
    assert [m["text"] for m in chat["items"]] == ["Hi"]
    for message_id in (sent["id"], sent["wa_message_id"]):
        one = moltflow("GET /messages/{message_id}", ids={"message_id": message_id})
        assert one.status_code == 200 and one.json()["text"] == "Hi"
    assert moltflow("GET /messages/{message_id}", ids={"message_id": "nope"}).status_code == 404


def test_send_poll_as_documented(moltflow, session_id):
    response = moltflow("POST /messages/send/poll", json={
        "session_id": session_id, "chat_id": "5511999999999@c.us", "title": "Preferred meeting time?",
        "options": ["Morning", "Afternoon", "Evening"], "allow_multiple": False})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["chat_id"], body["message_type"], body["status"]) == ("5511999999999@c.us", "poll", "sent")
    assert body["content_preview"] == "Preferred meeting time?" and body["wa_message_id"]
    one = moltflow("GET /messages/{message_id}", ids={"message_id": body["id"]}).json()
    assert one["message_type"] == "poll" and one["text"] == "Preferred meeting time?"
    assert one["poll"] == {"options": ["Morning", "Afternoon", "Evening"], "allow_multiple": False}
    chat = moltflow("GET /messages/chat/{session_id}/{chat_id}",
                    ids={"session_id": session_id, "chat_id": "5511999999999@c.us"}).json()
    assert [m["message_type"] for m in chat["items"]] == ["poll"]


def test_a_poll_needs_two_distinct_options(moltflow, session_id):
    base = {"session_id": session_id, "chat_id": "5511999999999@c.us", "title": "Lunch?"}
    assert moltflow("POST /messages/send/poll", json={**base, "options": ["Yes"]}).status_code == 422
    repeated = moltflow("POST /messages/send/poll", json={**base, "options": ["Yes", "yes "]})
    assert repeated.status_code == 422 and "differ" in repeated.text


def test_send_sticker_and_gif(moltflow, session_id, media_host):
    sticker = media_host.add("thumbs-up.webp", "image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    response = moltflow("POST /messages/send/sticker", json={"session_id": session_id,
                                                             "chat_id": "5511999999999@c.us", "media_url": sticker})
    assert response.status_code == 200, response.text
    assert (response.json()["message_type"], response.json()["status"]) == ("sticker", "sent")

    clip = media_host.add("party.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42")
    response = moltflow("POST /messages/send/gif", json={"session_id": session_id, "chat_id": "120363012345678901@g.us",
                                                         "media_url": clip, "caption": "Party time"})
    assert response.status_code == 200, response.text
    assert (response.json()["message_type"], response.json()["content_preview"]) == ("gif", "Party time")
    chats = moltflow("GET /messages/chats/{session_id}", ids={"session_id": session_id}).json()
    assert {c["chat_id"] for c in chats["items"]} == {"5511999999999@c.us", "120363012345678901@g.us"}


def test_a_sticker_must_be_webp_and_a_gif_mp4(moltflow, session_id, media_host):
    png = media_host.add("a.png", "image/png", b"\x89PNG")
    gif = media_host.add("a.gif", "image/gif", b"GIF89a")
    sticker = moltflow("POST /messages/send/sticker", json={"session_id": session_id, "chat_id": "5511999999999@c.us",
                                                            "media_url": png})
    assert sticker.status_code == 422 and "WebP" in sticker.json()["detail"]
    clip = moltflow("POST /messages/send/gif", json={"session_id": session_id, "chat_id": "5511999999999@c.us",
                                                     "media_url": gif})
    assert clip.status_code == 422 and "MP4" in clip.json()["detail"]
