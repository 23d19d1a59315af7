import re

KEYS = "/api/v2/api-keys"


def test_create_shows_key_once_and_list_never_does(client, tenant):
    created = client.post(KEYS, json={"label": "Python Script", "preset": "Messaging"}, headers=tenant.headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert re.fullmatch(r"mf_[A-Za-z0-9_-]{32,}", body["key"])
    assert body["scopes"] == ["sessions:read", "messages:send", "messages:read"]
    assert body["prefix"] == body["key"][:8]

    listed = client.get(KEYS, headers=tenant.headers).json()
    assert {k["label"] for k in listed} == {"test key", "Python Script"}
    assert body["key"] not in str(listed)
    assert all("key" not in k and "key_hash" not in k for k in listed)

    # The new key works, within its scopes.
    new_key = {"X-API-Key": body["key"]}
    assert client.get("/api/v2/sessions", headers=new_key).status_code == 200
    denied = client.post("/api/v2/sessions", json={"name": "x"}, headers=new_key)
    assert denied.status_code == 403
    assert denied.json() == {"detail": "This API key lacks the required scope: sessions:write"}


def test_only_hash_is_stored(client, tenant, db):
    from sqlmodel import select

    from app.apikeys.models import ApiKey

    key = client.post(KEYS, json={"label": "x", "scopes": ["ai:*"]}, headers=tenant.headers).json()
    row = db.exec(select(ApiKey).where(ApiKey.id == key["id"])).one()
    assert row.scopes == ["ai:read", "ai:write"]
    assert key["key"] not in (row.key_hash, row.prefix, row.label)


def test_revoked_key_gets_401(client, tenant):
    created = client.post(KEYS, json={"label": "n8n", "preset": "Full access"}, headers=tenant.headers).json()
    headers = {"X-API-Key": created["key"]}
    assert client.get("/api/v2/sessions", headers=headers).status_code == 200
    assert client.delete(f"{KEYS}/{created['id']}", headers=tenant.headers).status_code == 204
    response = client.get("/api/v2/sessions", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid API key"}
    assert created["id"] not in {k["id"] for k in client.get(KEYS, headers=tenant.headers).json()}


def test_bad_create_requests(client, tenant):
    unknown = client.post(KEYS, json={"label": "x", "scopes": ["messages:delete"]}, headers=tenant.headers)
    assert unknown.status_code == 422
    assert "unknown scope 'messages:delete'" in unknown.json()["detail"]
    both = client.post(KEYS, json={"label": "x", "scopes": ["ai:read"], "preset": "Messaging"},
                       headers=tenant.headers)
    assert both.status_code == 422
    assert both.json()["detail"][0]["msg"].endswith("give either scopes or preset, not both")


def test_key_cannot_mint_wider_key(client, make_tenant):
    limited = make_tenant(scopes=["keys:manage", "sessions:read"])
    response = client.post(KEYS, json={"label": "x", "preset": "Full access"}, headers=limited.headers)
    assert response.status_code == 403
    assert "messages:send" in response.json()["detail"]


def test_other_accounts_key_cannot_be_revoked(client, tenant, other_tenant):
    created = client.post(KEYS, json={"label": "mine", "preset": "Messaging"}, headers=tenant.headers).json()
    assert client.delete(f"{KEYS}/{created['id']}", headers=other_tenant.headers).status_code == 404
    assert client.get("/api/v2/sessions", headers={"X-API-Key": created["key"]}).status_code == 200
