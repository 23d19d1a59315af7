import pytest

BASE = "/api/v2/messages/bulk"


def start(client, tenant, **body):
    return client.post(BASE, json={"message": "Hi {name}!"} | body, headers=tenant.headers)


def test_free_plan_is_refused_naming_the_plans(client, tenant):
    session_id = client.post("/api/v2/sessions", json={"name": "s"}, headers=tenant.headers).json()["id"]
    response = start(client, tenant, session_id=session_id, phones=["15551234567"])
    assert response.status_code == 403
    assert response.json()["detail"].startswith(
        "Bulk messaging is not included in the Free plan; it is included in the Growth, Business and Self-hosted "
        "plans. The server's operator can change the plan with `replybase accounts set-plan ")


def test_create_returns_a_job_to_follow(client, growth_tenant, wa_session):
    response = start(client, growth_tenant, session_id=wa_session, phones=["15551234567", "15551234567"],
                     contacts=[{"phone": "447700900123", "name": "Ana"}])
    assert response.status_code == 202, response.text
    job = response.json()
    assert (job["status"], job["total"], job["sent"], job["failed"], job["pending"]) == ("queued", 2, 0, 0, 2)
    detail = client.get(f"{BASE}/{job['id']}", headers=growth_tenant.headers).json()
    assert [(r["phone"], r["name"], r["status"]) for r in detail["recipients"]] == [
        ("15551234567", None, "pending"), ("447700900123", "Ana", "pending")]
    assert [j["id"] for j in client.get(BASE, headers=growth_tenant.headers).json()] == [job["id"]]


def test_a_group_audience(client, growth_tenant, wa_session):
    group = client.post("/api/v2/custom-groups", headers=growth_tenant.headers, json={
        "name": "VIP", "contacts": [{"phone": "15550000001", "name": "Ana"}, {"phone": "15550000002"}]}).json()
    job = start(client, growth_tenant, session_id=wa_session, group_id=group["id"]).json()
    assert job["total"] == 2 and job["group_id"] == group["id"]
    empty = client.post("/api/v2/custom-groups", json={"name": "Empty"}, headers=growth_tenant.headers).json()
    response = start(client, growth_tenant, session_id=wa_session, group_id=empty["id"])
    assert response.status_code == 422 and "no members" in response.json()["detail"]


@pytest.mark.parametrize(("change", "message"), [
    ({}, "either `group_id` or `phones`/`contacts`"),
    ({"group_id": "g", "phones": ["15551234567"]}, "either `group_id` or `phones`/`contacts`"),
    ({"phones": ["+1 555"]}, "invalid phone '+1 555'"),
    ({"phones": ["15551234567"], "message": ""}, "at least 1 character"),
])
def test_validation(client, growth_tenant, wa_session, change, message):
    response = client.post(BASE, json={"session_id": wa_session, "message": "Hi"} | change,
                           headers=growth_tenant.headers)
    assert response.status_code == 422
    assert message in str(response.json()["detail"])


def test_session_must_exist_and_work(client, growth_tenant, wa_session):
    assert start(client, growth_tenant, session_id="nope", phones=["15551234567"]).status_code == 404
    client.post(f"/api/v2/sessions/{wa_session}/stop", headers=growth_tenant.headers)
    response = start(client, growth_tenant, session_id=wa_session, phones=["15551234567"])
    assert response.status_code == 409 and "not working" in response.json()["detail"]


def test_cancel(client, growth_tenant, other_tenant, wa_session):
    job = start(client, growth_tenant, session_id=wa_session, phones=["15551234567", "15557654321"]).json()
    assert client.post(f"{BASE}/{job['id']}/cancel", headers=other_tenant.headers).status_code == 404
    assert client.get(f"{BASE}/{job['id']}", headers=other_tenant.headers).status_code == 404
    cancelled = client.post(f"{BASE}/{job['id']}/cancel", headers=growth_tenant.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["pending"] == 0
    detail = client.get(f"{BASE}/{job['id']}", headers=growth_tenant.headers).json()
    assert {r["status"] for r in detail["recipients"]} == {"cancelled"}
    assert client.post(f"{BASE}/{job['id']}/cancel", headers=growth_tenant.headers).status_code == 200
