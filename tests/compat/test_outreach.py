"""The outreach guide's requests, as written: custom groups, bulk send, scheduled messages."""

import json

import pytest

from app.bulk.models import BulkJob

VIP = {"name": "VIP Clients", "members": [{"phone": "+15550123456"}, {"phone": "+15550987654", "name": "Jane Doe"}]}


@pytest.fixture
def group_id(moltflow):
    response = moltflow("POST /custom-groups", json=VIP)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_custom_groups_with_members_and_exports(moltflow, group_id):
    group = moltflow("GET /custom-groups/{id}", ids={"id": group_id}).json()
    assert group["member_count"] == 2
    assert sorted((m["phone"], m["name"]) for m in group["members"]) == [("15550123456", None),
                                                                         ("15550987654", "Jane Doe")]
    added = moltflow("POST /custom-groups/{id}/members/add", ids={"id": group_id}, json={
        "contacts": [{"phone": "+15551112222"}, {"phone": "+15553334444", "name": "Bob Smith"},
                     {"phone": "+15550123456"}]})
    assert added.status_code == 200 and added.json()["member_count"] == 4
    removed = moltflow("POST /custom-groups/{id}/members/remove", ids={"id": group_id},
                       json={"phones": ["+1 555 111 2222"]})
    assert removed.json()["member_count"] == 3
    renamed = moltflow("PATCH /custom-groups/{id}", ids={"id": group_id}, json={"name": "Gold Clients"})
    assert renamed.json()["name"] == "Gold Clients"
    assert [g["name"] for g in moltflow("GET /custom-groups").json()] == ["Gold Clients"]

    csv = moltflow("GET /custom-groups/{id}/export/csv", ids={"id": group_id})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0] == "phone,name,added_at" and any(line.startswith("15553334444,Bob Smith,") for line in lines)
    exported = moltflow("GET /custom-groups/{id}/export/json", ids={"id": group_id}).json()
    assert {m["phone"] for m in exported} == {"15550123456", "15550987654", "15553334444"}
    assert moltflow("DELETE /custom-groups/{id}", ids={"id": group_id}).status_code == 204


def test_a_name_that_is_a_formula_is_not_one_in_the_csv(moltflow):
    group = moltflow("POST /custom-groups", json={"name": "x", "members": [{"phone": "15550001111",
                                                                          "name": "=HYPERLINK(1)"}]}).json()
    csv = moltflow("GET /custom-groups/{id}/export/csv", ids={"id": group["id"]}).text
    assert "15550001111,'=HYPERLINK(1)," in csv


def test_contacts_across_sessions(moltflow, session_id):
    moltflow.http.post("/api/v2/sandbox/inbound", headers=moltflow.headers,
                       json={"session_id": session_id, "phone": "447700900123", "message": "Hi", "name": "Ana"})
    contacts = moltflow("GET /custom-groups/contacts").json()
    assert [(c["phone"], c["name"]) for c in contacts["items"]] == [("447700900123", "Ana")]


def test_bulk_send_create_follow_pause_resume_cancel(moltflow, session_id, group_id, run_jobs, services):
    created = moltflow("POST /bulk-send", json={"session_id": session_id, "custom_group_id": group_id,
                                                "message_content": "Special offer for our VIP clients!"})
    assert created.status_code == 201, created.text
    job = created.json()
    assert {"id", "session_id", "custom_group_id", "status", "total_recipients", "sent_count", "failed_count",
            "created_at"} <= set(job)
    assert (job["custom_group_id"], job["total_recipients"], job["status"]) == (group_id, 2, "pending")

    paused = moltflow("POST /bulk-send/{id}/pause", ids={"id": job["id"]})
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    run_jobs()
    assert moltflow("GET /bulk-send/{id}", ids={"id": job["id"]}).json()["sent_count"] == 0  # held
    resumed = moltflow("POST /bulk-send/{id}/resume", ids={"id": job["id"]})
    assert resumed.status_code == 200 and resumed.json()["status"] in ("pending", "running")
    run_jobs()  # the first recipient goes now, the second after a paced gap
    detail = moltflow("GET /bulk-send/{id}", ids={"id": job["id"]}).json()
    assert detail["sent_count"] == 1 and len(detail["recipients"]) == 2
    assert [j["id"] for j in moltflow("GET /bulk-send").json()] == [job["id"]]

    stream = moltflow("GET /bulk-send/{id}/progress", ids={"id": job["id"]}, params={"timeout": 0.5})
    assert stream.headers["content-type"].startswith("text/event-stream")
    event, data = stream.text.split("\n\n")[0].splitlines()
    assert event == "event: progress"
    assert json.loads(data.removeprefix("data: ")) == {"sent": 1, "failed": 0, "pending": 1, "total": 2,
                                                       "status": "running"}

    cancelled = moltflow("POST /bulk-send/{id}/cancel", ids={"id": job["id"]})
    assert cancelled.json()["status"] == "cancelled"
    final = moltflow("GET /bulk-send/{id}/progress", ids={"id": job["id"]})  # ends by itself: the job is over
    assert json.loads(final.text.split("\n\n")[0].splitlines()[1].removeprefix("data: "))["status"] == "cancelled"
    with services.session_factory() as session:
        assert session.get(BulkJob, job["id"]).status == "cancelled"


def test_bulk_send_as_the_main_guide_writes_it(moltflow, session_id, group_id):
    response = moltflow("POST /bulk-send", json={"custom_group_id": group_id, "session_id": session_id,
                                                 "message": "Weekly update..."})
    assert response.status_code == 201, response.text
    assert response.json()["message_content"] == "Weekly update..."


# The guides' dates (February and March 2026) are replaced by future ones, like ids.
def test_scheduled_one_time_as_documented(moltflow, session_id, group_id):
    created = moltflow("POST /scheduled-messages", json={
        "name": "Follow-up", "session_id": session_id, "custom_group_id": group_id, "schedule_type": "one_time",
        "message_content": "Just checking in on your order!", "scheduled_time": "2030-02-15T09:00:00",
        "timezone": "Asia/Jerusalem"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["name"], body["schedule_type"], body["custom_group_id"]) == ("Follow-up", "one_time", group_id)
    assert body["next_run_at"].startswith("2030-02-15T07:00:00")  # 09:00 in Jerusalem, UTC+2 in winter


def test_scheduled_cron_with_lifecycle(moltflow, session_id, group_id):
    created = moltflow("POST /scheduled-messages", json={
        "name": "Weekly Update", "session_id": session_id, "custom_group_id": group_id, "schedule_type": "cron",
        "message_content": "Weekly team report is ready!", "cron_expression": "0 9 * * MON",
        "timezone": "America/New_York"})
    assert created.status_code == 201, created.text
    body, ids = created.json(), {"id": created.json()["id"]}
    assert {"id", "name", "status", "schedule_type", "cron_expression", "timezone", "next_run_at",
            "created_at"} <= set(body)
    assert (body["cron_expression"], body["timezone"], body["schedule_type"]) == ("0 9 * * MON", "America/New_York",
                                                                                  "cron")
    patched = moltflow("PATCH /scheduled-messages/{id}", ids=ids, json={"cron_expression": "30 8 * * MON-FRI"})
    assert patched.status_code == 200, patched.text
    assert patched.json()["cron_expression"] == "30 8 * * MON-FRI" and patched.json()["next_run_at"]
    assert moltflow("POST /scheduled-messages/{id}/pause", ids=ids).json()["status"] == "paused"
    assert moltflow("POST /scheduled-messages/{id}/resume", ids=ids).json()["status"] == "pending"
    got = moltflow("GET /scheduled-messages/{id}", ids=ids).json()
    assert got["message_content"] == "Weekly team report is ready!"
    assert moltflow("GET /scheduled-messages/{id}/history", ids=ids).json()["items"] == []
    assert [s["id"] for s in moltflow("GET /scheduled-messages").json()] == [body["id"]]
    assert moltflow("POST /scheduled-messages/{id}/cancel", ids=ids).json()["status"] == "cancelled"
    assert moltflow("DELETE /scheduled-messages/{id}", ids=ids).status_code == 204
    assert moltflow("GET /scheduled-messages/{id}", ids=ids).status_code == 404


def test_scheduled_weekly_to_a_chat_as_the_main_guide_writes_it(moltflow, session_id):
    created = moltflow("POST /scheduled-messages", json={
        "name": "Monday check-in", "session_id": session_id, "chat_id": "123456789@c.us",
        "message": "Hey! Anything I can help with this week?", "recurrence": "weekly",
        "scheduled_time": "2030-03-04T09:00:00", "timezone": "America/New_York"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["phone"] == "123456789" and body["cron"] == "0 9 * * 1"  # 2030-03-04 is a Monday
    assert body["next_run_at"].startswith("2030-03-04T14:00:00")  # 09:00 in New York, UTC-5


def test_scheduled_refuses_what_it_cannot_do(moltflow, session_id, group_id):
    group_chat = moltflow("POST /scheduled-messages", json={
        "session_id": session_id, "chat_id": "120363012345678901@g.us", "message": "Hi",
        "schedule_type": "one_time", "scheduled_time": "2030-03-03T09:00:00"})
    assert group_chat.status_code == 422 and "group chat is not supported" in group_chat.text
    no_cron = moltflow("POST /scheduled-messages", json={
        "name": "x", "session_id": session_id, "custom_group_id": group_id, "schedule_type": "cron",
        "message_content": "Hi"})
    assert no_cron.status_code == 422 and "needs cron_expression" in no_cron.text
