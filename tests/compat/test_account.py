"""What the quickstart script and the admin and onboarding guides call: keys, the caller, usage."""

from datetime import timedelta

from app.apikeys.models import ApiKey
from app.common import utcnow


def test_quickstart_script_runs_as_written(moltflow, session_id):
    sessions = moltflow("GET /sessions").json()
    assert [(s["name"], s["status"]) for s in sessions] == [("My WhatsApp", "working")]
    sent = moltflow("POST /messages/send", json={"session_id": session_id, "chat_id": "1234567890@c.us",
                                                 "message": "Hello!"})
    assert sent.status_code == 200, sent.text
    usage = moltflow("GET /usage/current")
    assert usage.status_code == 200
    body = usage.json()
    assert body["total_messages"] == 1 and "limit_messages" in body and "usage_percentage" in body


def test_me_for_a_key_and_for_a_login(moltflow, tenant):
    for me in (moltflow("GET /auth/me").json(), moltflow("GET /users/me").json()):
        assert (me["email"], me["tenant_id"], me["role"]) == (tenant.email, tenant.account_id, "owner")
    login = moltflow.http.post("/api/v2/auth/login", json={"email": tenant.email, "password": tenant.password})
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert moltflow.http.get("/api/v2/auth/me", headers=token).json()["auth"] == "jwt"


def test_key_with_a_name_only_then_get_rotate_and_delete(moltflow):
    created = moltflow("POST /api-keys", json={"name": "Production Integration"})
    assert created.status_code == 201, created.text
    key = created.json()
    assert {"id", "name", "key_prefix", "raw_key", "created_at", "is_active"} <= set(key)
    assert key["name"] == "Production Integration" and key["raw_key"].startswith(key["key_prefix"])
    as_new_key = {"X-API-Key": key["raw_key"]}
    assert moltflow.http.get("/api/v2/sessions", headers=as_new_key).status_code == 200

    got = moltflow("GET /api-keys/{id}", ids={"id": key["id"]}).json()
    assert got["name"] == "Production Integration" and "raw_key" not in got and "key" not in got
    assert [k["id"] for k in moltflow("GET /api-keys").json()].count(key["id"]) == 1

    rotated = moltflow("POST /api-keys/{id}/rotate", ids={"id": key["id"]})
    assert rotated.status_code == 200 and rotated.json()["id"] == key["id"]
    assert rotated.json()["raw_key"] != key["raw_key"]
    assert moltflow.http.get("/api/v2/sessions", headers=as_new_key).status_code == 401
    assert moltflow.http.get("/api/v2/sessions", headers={"X-API-Key": rotated.json()["raw_key"]}).status_code == 200

    assert moltflow("DELETE /api-keys/{id}", ids={"id": key["id"]}).status_code == 204
    assert moltflow("GET /api-keys/{id}", ids={"id": key["id"]}).status_code == 404


def test_scopes_preset_and_expiry_are_enforced(moltflow, services):
    scoped = moltflow("POST /api-keys", json={"name": "Agent", "scopes": ["messages:send"],
                                              "expires_in_days": 30}).json()
    assert scoped["scopes"] == ["messages:send"] and scoped["expires_at"]
    headers = {"X-API-Key": scoped["raw_key"]}
    assert moltflow.http.get("/api/v2/webhooks", headers=headers).status_code == 403
    with services.session_factory() as session:  # through the ORM, as any change to a key: caches drop it
        session.get(ApiKey, scoped["id"]).expires_at = utcnow() - timedelta(seconds=1)
        session.commit()
    expired = moltflow.http.get("/api/v2/sessions", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert moltflow("GET /api-keys/{id}", ids={"id": scoped["id"]}).json()["is_active"] is False
    preset = moltflow("POST /api-keys", json={"name": "Reader", "preset": "Read Only"})
    assert preset.status_code == 201 and "messages:send" not in preset.json()["scopes"]
    typo = moltflow("POST /api-keys", json={"name": "x", "expires_in_day": 3})
    assert typo.status_code == 422 and typo.json()["detail"][0]["loc"] == ["body", "expires_in_day"]
