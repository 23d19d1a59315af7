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
