"""Auto-reply settings and chat pauses over HTTP: PUT replaces (and says which fields it reset), PATCH changes only
what is sent, unknown fields are refused, and every way of writing a chat id names the same chat."""

import pytest

BASE = "/api/v2/ai/auto-reply"


@pytest.fixture
def session_id(client, tenant):
    return client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]


def test_put_with_one_field_resets_the_rest_and_says_so(client, tenant, session_id):
    client.put(f"{BASE}/{session_id}", json={"enabled": True, "min_confidence": 0.6}, headers=tenant.headers)
    response = client.put(f"{BASE}/{session_id}", json={"min_confidence": 0.5}, headers=tenant.headers)
    assert response.status_code == 200
    assert response.json()["enabled"] is False
    assert "enabled" in response.json()["defaults_applied"]
    assert "min_confidence" not in response.json()["defaults_applied"]


def test_patch_changes_only_what_is_sent(client, tenant, session_id):
    client.put(f"{BASE}/{session_id}", json={"enabled": True, "mode": "review"}, headers=tenant.headers)
    response = client.patch(f"{BASE}/{session_id}", json={"min_confidence": 0.5}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = client.get(f"{BASE}/{session_id}", headers=tenant.headers).json()
    assert (body["enabled"], body["mode"], body["min_confidence"]) == (True, "review", 0.5)
    bad = client.patch(f"{BASE}/{session_id}", json={"min_confidence": 7}, headers=tenant.headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "min_confidence"]


def test_min_confidence_is_left_to_the_drafter_until_set_and_then_decides_both_ways(client, tenant, session_id,
                                                                                     run_jobs):
    assert client.get(f"{BASE}/{session_id}", headers=tenant.headers).json()["min_confidence"] is None
    client.post("/api/v2/ai/knowledge-base/text", headers=tenant.headers, json={
        "title": "Repairs", "text": "We repair bicycles of every brand. A basic tune-up costs £45 and takes a day."})
    run_jobs()

    def preview(message, min_confidence):
        changed = client.patch(f"{BASE}/{session_id}", json={"min_confidence": min_confidence}, headers=tenant.headers)
        assert changed.status_code == 200 and changed.json()["min_confidence"] == min_confidence, changed.text
        response = client.post("/api/v2/ai/preview", headers=tenant.headers,
                               json={"message": message, "session_id": session_id})
        assert response.status_code == 200, response.text
        return response.json()

    sure = preview("how much is a tune up?", None)
    assert not sure["handoff"] and "£45" in sure["reply"], sure
    assert preview("how much is a tune up?", round(sure["confidence"] + 0.001, 3))["handoff"]  # higher: hands off
    assert not preview("how much is a tune up?", sure["confidence"])["handoff"]
    assert preview("do you sell pizza?", None)["handoff"]
    bold = preview("do you sell pizza?", 0.0)  # lower: answers what the drafter's own line hands off
    assert not bold["handoff"] and bold["reply"], bold
    assert preview("do you sell pizza?", None)["handoff"]  # null gives the line back to the drafter


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_misspelt_field_is_422_and_changes_nothing(client, tenant, session_id, method):
    client.put(f"{BASE}/{session_id}", json={"enabled": True}, headers=tenant.headers)
    response = client.request(method, f"{BASE}/{session_id}", json={"enabeld": False}, headers=tenant.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "enabeld"]
    assert client.get(f"{BASE}/{session_id}", headers=tenant.headers).json()["enabled"] is True


def test_block_and_allow_lists_store_the_form_the_bot_compares(client, tenant, session_id):
    response = client.put(f"{BASE}/{session_id}", headers=tenant.headers, json={
        "block_list": ["+44 7700 900123", "447700900123@c.us", "120363012345678901@g.us"],
        "allow_list": ["5511999999999@s.whatsapp.net"]})
    assert response.json()["block_list"] == ["447700900123", "120363012345678901@g.us"]
    assert response.json()["allow_list"] == ["5511999999999"]
    bad = client.put(f"{BASE}/{session_id}", json={"block_list": ["call me"]}, headers=tenant.headers)
    assert bad.status_code == 422 and "call me" in bad.text


@pytest.mark.parametrize("written", ["447700900123", "447700900123@c.us", "447700900123@s.whatsapp.net",
                                     "+44 7700 900123"])
def test_pause_and_resume_take_any_form_of_the_chat_id(client, tenant, session_id, written):
    client.post("/api/v2/sandbox/inbound", headers=tenant.headers,
                json={"session_id": session_id, "phone": "447700900123", "message": "Hi"})
    paused = client.post(f"{BASE}/{session_id}/chats/{written}/pause", headers=tenant.headers)
    assert paused.status_code == 200, paused.text
    assert paused.json()["chat_id"] == "447700900123@c.us" and paused.json()["paused_until"]
    resumed = client.post(f"{BASE}/{session_id}/chats/{written}/resume", headers=tenant.headers)
    assert resumed.json()["paused_until"] is None


def test_pausing_a_chat_that_does_not_exist_is_404(client, tenant, session_id):
    for chat in ("15550000000@c.us", "not-a-chat"):
        response = client.post(f"{BASE}/{session_id}/chats/{chat}/pause", headers=tenant.headers)
        assert response.status_code == 404 and "not found" in response.json()["detail"]
