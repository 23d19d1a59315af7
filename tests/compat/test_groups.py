"""The core guide's group monitoring: a session's WhatsApp groups, watched for keywords (sandbox sessions here;
tests/app/gateways covers WAHA's groups API and the Cloud API's refusal)."""

import json

import pytest

from tests.servers.receiver import WebhookReceiver

GROUP = "120363012345678901@g.us"  # the guide's own example id


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


def write_in_group(moltflow, session_id, text, phone="5511988887777", group_id=GROUP):
    """A member writes in a group the sandbox number is in (which makes it one of the session's groups)."""
    response = moltflow.http.post("/api/v2/sandbox/inbound", headers=moltflow.headers, json={
        "session_id": session_id, "phone": phone, "message": text, "group_id": group_id})
    assert response.status_code == 200, response.text
    return response.json()


def group_events(receiver) -> list[dict]:
    return [json.loads(r.body) for r in receiver.requests if json.loads(r.body)["event"] == "group.message"]


@pytest.fixture
def listening(moltflow, receiver):
    response = moltflow("POST /webhooks", json={"name": "Groups", "url": receiver.url, "events": ["group.message"],
                                                "secret": "whsec_groups_1"})
    assert response.status_code == 201, response.text
    return receiver


def test_available_groups_then_monitor_for_keywords_as_documented(moltflow, session_id, listening, run_jobs):
    write_in_group(moltflow, session_id, "Hello everyone")
    available = moltflow("GET /groups/available/{session_id}", ids={"session_id": session_id})
    assert available.status_code == 200, available.text
    [group] = available.json()["items"]
    assert (group["wa_group_id"], group["participant_count"], group["is_monitored"]) == (GROUP, 1, False)

    response = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": "120363012345678901@g.us",
                                              "monitor_mode": "keywords",
                                              "monitor_keywords": ["urgent", "support", "help"]})
    assert response.status_code == 201, response.text
    monitored = response.json()
    assert {"id", "session_id", "wa_group_id", "name", "monitor_mode", "monitor_keywords", "is_active",
            "message_count", "created_at"} <= set(monitored)
    assert (monitored["wa_group_id"], monitored["monitor_mode"]) == (GROUP, "keywords")
    again = moltflow("GET /groups/available/{session_id}", ids={"session_id": session_id}).json()["items"][0]
    assert again["is_monitored"] is True and again["monitored_group_id"] == monitored["id"]

    write_in_group(moltflow, session_id, "Anyone going to the game tonight?")
    write_in_group(moltflow, session_id, "URGENT: the lift is broken, I need HELP", phone="5511977776666")
    write_in_group(moltflow, session_id, "helpful tip: supporters meet at 8")  # no whole keyword
    run_jobs()
    [event] = group_events(listening)
    assert event["data"]["wa_group_id"] == GROUP and event["data"]["chat_id"] == GROUP
    assert event["data"]["matched_keywords"] == ["urgent", "help"]
    assert event["data"]["phone"] == "5511977776666" and event["data"]["session_id"] == session_id
    assert event["data"]["message"] == "URGENT: the lift is broken, I need HELP"

    detail = moltflow("GET /groups/{id}", ids={"id": monitored["id"]}).json()
    assert detail["message_count"] == 1 and detail["last_message_id"] == event["data"]["id"]


def test_monitor_with_the_second_documented_body(moltflow, session_id):
    write_in_group(moltflow, session_id, "hi", group_id="120363012345@g.us")
    response = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": "120363012345@g.us",
                                              "monitor_mode": "keywords",
                                              "monitor_keywords": ["looking for", "need help", "budget", "price"]})
    assert response.status_code == 201, response.text
    assert response.json()["monitor_keywords"] == ["looking for", "need help", "budget", "price"]


def test_a_group_the_session_is_not_in_is_404_and_a_second_add_409(moltflow, session_id):
    body = {"session_id": session_id, "wa_group_id": GROUP, "monitor_mode": "all"}
    missing = moltflow("POST /groups", json=body)
    assert missing.status_code == 404 and "/groups/available/" in missing.json()["detail"]
    write_in_group(moltflow, session_id, "hi")
    assert moltflow("POST /groups", json=body).status_code == 201
    assert moltflow("POST /groups", json=body).status_code == 409


def test_bad_bodies_are_422_naming_the_problem(moltflow, session_id):
    write_in_group(moltflow, session_id, "hi")
    no_keywords = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": GROUP,
                                                 "monitor_mode": "keywords"})
    assert no_keywords.status_code == 422 and "monitor_keywords" in no_keywords.text
    person = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": "5511999999999@c.us"})
    assert person.status_code == 422 and "not a WhatsApp group" in person.text
    mode = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": GROUP, "monitor_mode": "loud"})
    assert mode.status_code == 422


def test_list_get_patch_and_delete(moltflow, session_id, listening, run_jobs):
    write_in_group(moltflow, session_id, "hi")
    created = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": GROUP,
                                             "monitor_mode": "keywords", "monitor_keywords": ["price"]}).json()
    page = moltflow("GET /groups")
    assert page.status_code == 200
    assert page.json()["total"] == 1 and [g["id"] for g in page.json()["items"]] == [created["id"]]
    assert moltflow("GET /groups/{id}", ids={"id": created["id"]}).json()["monitor_keywords"] == ["price"]

    patched = moltflow("PATCH /groups/{id}", ids={"id": created["id"]}, json={"monitor_mode": "all"})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["monitor_mode"], patched.json()["monitor_keywords"]) == ("all", ["price"])  # kept
    write_in_group(moltflow, session_id, "good morning")
    run_jobs()
    assert [e["data"]["message"] for e in group_events(listening)] == ["good morning"]

    paused = moltflow("PATCH /groups/{id}", ids={"id": created["id"]}, json={"is_active": False}).json()
    assert paused["is_active"] is False
    write_in_group(moltflow, session_id, "nobody hears this")
    run_jobs()
    assert len(group_events(listening)) == 1

    emptied = moltflow("PATCH /groups/{id}", ids={"id": created["id"]},
                       json={"monitor_mode": "keywords", "monitor_keywords": []})
    assert emptied.status_code == 422
    assert moltflow("DELETE /groups/{id}", ids={"id": created["id"]}).status_code == 204
    assert moltflow("GET /groups/{id}", ids={"id": created["id"]}).status_code == 404
    assert moltflow("GET /groups").json()["total"] == 0


def test_mentions_and_first_message_modes(moltflow, session_id, listening, run_jobs):
    number = moltflow("GET /sessions/{id}", ids={"id": session_id}).json()["phone_number"]
    write_in_group(moltflow, session_id, "hi", phone="5511900000001")
    write_in_group(moltflow, session_id, "hi", phone="5511900000001", group_id="120363099999999999@g.us")
    for wa_group_id, mode in ((GROUP, "mentions"), ("120363099999999999@g.us", "first_message")):
        assert moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": wa_group_id,
                                              "monitor_mode": mode}).status_code == 201
    write_in_group(moltflow, session_id, "who runs this shop?", phone="5511900000002")
    write_in_group(moltflow, session_id, f"@{number} can you help?", phone="5511900000002")
    second = "120363099999999999@g.us"
    write_in_group(moltflow, session_id, "me again", phone="5511900000001", group_id=second)  # wrote before
    write_in_group(moltflow, session_id, "first time here", phone="5511900000003", group_id=second)
    write_in_group(moltflow, session_id, "second time", phone="5511900000003", group_id=second)
    run_jobs()
    captured = sorted((e["data"]["monitor_mode"], e["data"]["message"]) for e in group_events(listening))
    assert captured == [("first_message", "first time here"), ("mentions", f"@{number} can you help?")]


def test_messages_outside_monitored_groups_send_no_group_event(moltflow, session_id, listening, run_jobs):
    write_in_group(moltflow, session_id, "hi")  # a group, but not monitored
    moltflow.http.post("/api/v2/sandbox/inbound", headers=moltflow.headers,
                       json={"session_id": session_id, "phone": "5511999999999", "message": "urgent"})
    run_jobs()
    assert group_events(listening) == []


def test_create_a_group_and_manage_its_participants(moltflow, session_id):
    created = moltflow("POST /groups/create", json={"session_id": session_id, "name": "Spring launch",
                                                    "participants": ["5511999999999@c.us", "+44 7700 900123"]})
    assert created.status_code == 201, created.text
    group = created.json()
    assert group["name"] == "Spring launch" and group["wa_group_id"].endswith("@g.us")
    assert {p["phone"] for p in group["participants"]} >= {"5511999999999", "447700900123"}
    wa_group_id = group["wa_group_id"]
    ids = {"wa_group_id": wa_group_id}

    def participant_count() -> int:
        [listed] = [g for g in moltflow("GET /groups/available/{session_id}", ids={"session_id": session_id})
                    .json()["items"] if g["wa_group_id"] == wa_group_id]
        assert listed["name"] == "Spring launch"
        return listed["participant_count"]

    assert participant_count() == 3  # the two and the session's own number
    added = moltflow("POST /groups/{wa_group_id}/participants/add", ids=ids,
                     json={"session_id": session_id, "participants": ["15551230000"]})
    assert added.status_code == 200, added.text
    assert added.json() == {"success": True, "session_id": session_id, "wa_group_id": wa_group_id,
                            "action": "add", "participants": ["15551230000"]}
    assert participant_count() == 4
    change = {"session_id": session_id, "participants": ["15551230000"]}
    promoted = moltflow("POST /groups/{wa_group_id}/admin/promote", ids=ids, json=change)
    assert promoted.status_code == 200 and promoted.json()["action"] == "promote", promoted.text
    demoted = moltflow("POST /groups/{wa_group_id}/admin/demote", ids=ids, json=change)
    assert demoted.status_code == 200 and demoted.json()["action"] == "demote", demoted.text
    removed = moltflow("POST /groups/{wa_group_id}/participants/remove", ids=ids,
                       json={"session_id": session_id, "participants": ["15551230000@c.us"]})
    assert removed.status_code == 200 and participant_count() == 3


def test_participants_of_a_monitored_group_need_no_session_id(moltflow, session_id):
    write_in_group(moltflow, session_id, "hi")
    assert moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": GROUP}).status_code == 201
    response = moltflow("POST /groups/{wa_group_id}/participants/add", ids={"wa_group_id": GROUP},
                        json={"participants": ["15551230000"]})
    assert response.status_code == 200, response.text
    assert response.json()["session_id"] == session_id
    unknown = moltflow("POST /groups/{wa_group_id}/participants/add", ids={"wa_group_id": "120363000000000001@g.us"},
                       json={"participants": ["15551230000"]})
    assert unknown.status_code == 422 and "session_id" in unknown.json()["detail"]
    not_in = moltflow("POST /groups/{wa_group_id}/participants/add", ids={"wa_group_id": "120363000000000001@g.us"},
                      json={"session_id": session_id, "participants": ["15551230000"]})
    assert not_in.status_code == 404


def test_another_tenant_sees_none_of_it(moltflow, session_id, client, other_tenant):
    write_in_group(moltflow, session_id, "hi")
    created = moltflow("POST /groups", json={"session_id": session_id, "wa_group_id": GROUP}).json()
    assert client.get(f"/api/v2/groups/{created['id']}", headers=other_tenant.headers).status_code == 404
    assert client.get(f"/api/v2/groups/available/{session_id}", headers=other_tenant.headers).status_code == 404
    assert client.get("/api/v2/groups", headers=other_tenant.headers).json()["total"] == 0
