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
