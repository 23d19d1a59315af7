"""The authorization matrix: every /api/v2 route, every way a caller can be wrong."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute

from app.accounts.service import set_plan
from app.apikeys.scopes import ALL_SCOPES
from app.auth import tokens
from app.deps import Authenticator
from app.main import API_PREFIX, API_ROUTERS

PUBLIC_PREFIXES = ("/api/v2/auth/register", "/api/v2/auth/login", "/api/v2/auth/refresh")
# Gateway callbacks carry no API key: their signatures authenticate them (tests/app/gateways).
PUBLIC_PREFIXES += ("/api/v2/gateways/",)


def protected_routes():
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            path = API_PREFIX + route.path
            if path.startswith(PUBLIC_PREFIXES):
                continue
            for method in sorted(route.methods):
                yield method, path, route


def required_scope(route: APIRoute) -> str | None:
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        if isinstance(dependant.call, Authenticator):
            return dependant.call.scope
        stack.extend(dependant.dependencies)
    return None


ROUTES = list(protected_routes())
IDS = [f"{method} {path}" for method, path, _ in ROUTES]


def fill(path: str, value: str = "doesnotexist0000") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


# How to create, for a tenant, the resource a path with an id points at. A new route with a path id
# needs an entry here, so that the cross-tenant check covers it.
def make_session(client, tenant) -> str:
    response = client.post("/api/v2/sessions", json={"name": "matrix"}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_api_key(client, tenant) -> str:
    response = client.post("/api/v2/api-keys", json={"label": "matrix", "preset": "Messaging"},
                           headers=tenant.headers)
    return response.json()["id"]


def make_document(client, tenant) -> str:
    response = client.post("/api/v2/ai/knowledge-base/text", json={"title": "t", "text": "Open daily."},
                           headers=tenant.headers)
    return response.json()["id"]


def make_chunk(client, tenant) -> str:
    from app.jobs.worker import drain

    document_id = make_document(client, tenant)
    drain(client.app.state.services)
    chunks = client.get(f"/api/v2/ai/knowledge-base/documents/{document_id}/chunks", headers=tenant.headers)
    return str(chunks.json()[0]["id"])


def make_chat(client, tenant) -> str:
    session_id = make_session(client, tenant)
    response = client.post("/api/v2/messages/send", headers=tenant.headers,
                           json={"session_id": session_id, "phone": "15551234567", "message": "matrix"})
    assert response.status_code == 200, response.text
    return "15551234567@c.us"


def make_message(client, tenant) -> str:
    response = client.post("/api/v2/messages/send", headers=tenant.headers,
                           json={"session_id": make_session(client, tenant), "phone": "15551234567", "message": "m"})
    return response.json()["id"]


def make_webhook(client, tenant) -> str:
    response = client.post("/api/v2/webhooks", json={"url": "http://127.0.0.1:9/h", "events": ["message.sent"]},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_group(client, tenant) -> str:
    response = client.post("/api/v2/custom-groups", json={"name": "matrix", "phones": ["15551234567"]},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_monitored_group(client, tenant) -> str:
    session_id = make_session(client, tenant)
    client.post("/api/v2/sandbox/inbound", headers=tenant.headers, json={
        "session_id": session_id, "phone": "15551234567", "message": "hi", "group_id": "120363012345678901@g.us"})
    response = client.post("/api/v2/groups", json={"session_id": session_id, "wa_group_id": "120363012345678901@g.us"},
                           headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_wa_group(client, tenant) -> str:
    response = client.post("/api/v2/groups/create", headers=tenant.headers, json={
        "session_id": make_session(client, tenant), "name": "matrix", "participants": ["15551234567"]})
    assert response.status_code == 201, response.text
    return response.json()["wa_group_id"]


def make_scheduled_message(client, tenant) -> str:
    response = client.post("/api/v2/scheduled-messages", headers=tenant.headers, json={
        "session_id": make_session(client, tenant), "phone": "15551234567", "message": "matrix",
        "scheduled_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat()})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_bulk_job(client, tenant) -> str:
    with client.app.state.services.session_factory() as session:  # bulk needs the Growth plan
        set_plan(session, tenant.account_id, "growth")
        session.commit()
    response = client.post("/api/v2/messages/bulk", headers=tenant.headers, json={
        "session_id": make_session(client, tenant), "phones": ["15551234567"], "message": "matrix"})
    assert response.status_code == 202, response.text
    return response.json()["id"]


def make_style_profile(client, tenant) -> str:
    response = client.post("/api/v2/ai/style-profiles", json={"name": "matrix"}, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def make_reply(client, tenant) -> str:
    from app.jobs.worker import drain

    session_id = make_session(client, tenant)
    client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"enabled": True, "debounce_seconds": 0},
               headers=tenant.headers)
    client.post("/api/v2/sandbox/inbound", json={"session_id": session_id, "phone": "15551234567",
                                                 "message": "hello?"}, headers=tenant.headers)
    drain(client.app.state.services)
    return client.get("/api/v2/ai/replies", headers=tenant.headers).json()["items"][0]["id"]


def make_job(client, tenant) -> str:
    from app.jobs.queue import enqueue

    with client.app.state.services.session_factory() as session:
        job = enqueue(session, "webhooks.deliver", {"delivery_id": "matrix"}, account_id=tenant.account_id)
        job.status = "failed"
        session.commit()
        return str(job.id)


RESOURCE_FACTORIES = {
    "/api/v2/jobs/{job_id}": make_job,
    "/api/v2/ai/auto-reply/{session_id}": make_session,
    "/api/v2/ai/replies/{reply_id}": make_reply,
    "/api/v2/ai/style-profiles/{profile_id}": make_style_profile,
    "/api/v2/ai/style/profile/{profile_id}": make_style_profile,
    "/api/v2/ai/style/status/{task_id}": make_style_profile,
    "/api/v2/ai/knowledge/{source_id}": make_document,
    "/api/v2/scheduled-messages/{scheduled_id}": make_scheduled_message,
    "/api/v2/messages/bulk/{bulk_job_id}": make_bulk_job,
    "/api/v2/bulk-send/{job_id}": make_bulk_job,
    "/api/v2/webhooks/{webhook_id}": make_webhook,
    "/api/v2/custom-groups/{group_id}": make_group,
    "/api/v2/groups/available/{session_id}": make_session,
    "/api/v2/groups/{group_id}": make_monitored_group,
    "/api/v2/groups/{wa_group_id}": make_wa_group,
    "/api/v2/messages/chats/{chat_id}": make_chat,
    "/api/v2/messages/chat/{session_id}": make_session,
    "/api/v2/messages/{message_id}": make_message,
    "/api/v2/ai/knowledge-base/documents/{document_id}": make_document,
    "/api/v2/ai/knowledge-base/chunks/{chunk_id}": make_chunk,
    "/api/v2/sessions/{session_id}": make_session,
    "/api/v2/api-keys/{key_id}": make_api_key,
}


def factory_for(path: str):
    for prefix, factory in RESOURCE_FACTORIES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return prefix, factory
    return None, None


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=IDS)
def test_rejects_missing_and_bad_credentials(client, services, tenant, method, path, route):
    path = fill(path)
    revoked = client.post("/api/v2/api-keys", json={"label": "r", "preset": "Full access"},
                          headers=tenant.headers).json()
    client.delete(f"/api/v2/api-keys/{revoked['id']}", headers=tenant.headers)
    login = client.post("/api/v2/auth/login", json={"email": tenant.email, "password": tenant.password}).json()
    sid = tokens.decode_access_token(services.jwt_secret, login["access_token"])["sid"]
    expired = tokens.encode_access_token(services.jwt_secret, user_id=tenant.user_id, account_id=tenant.account_id,
                                         login_session_id=sid, ttl_seconds=-1)
    cases = {
        "none": ({}, "Not authenticated"),
        "wrong key": ({"X-API-Key": "mf_" + "x" * 43}, "Invalid API key"),
        "revoked key": ({"X-API-Key": revoked["key"]}, "Invalid API key"),
        "key with whitespace": ({"X-API-Key": tenant.key + " "}, "Invalid API key"),
        "key with inner space": ({"X-API-Key": tenant.key[:10] + " " + tenant.key[10:]}, "Invalid API key"),
        "expired jwt": ({"Authorization": f"Bearer {expired}"}, "Invalid or expired token"),
    }
    for case, (headers, detail) in cases.items():
        response = client.request(method, path, headers=headers)
        assert response.status_code == 401, (case, response.text)
        assert response.json()["detail"].startswith(detail), case


@pytest.mark.parametrize(("method", "path", "route"), ROUTES, ids=IDS)
def test_key_without_the_scope_gets_403_naming_it(client, make_tenant, method, path, route):
    scope = required_scope(route)
    if scope is None:
        assert path in {"/api/v2/account", "/api/v2/auth/logout", "/api/v2/auth/me", "/api/v2/users/me",
                        "/api/v2/usage/current"}, "every other route needs a scope"
        return
    caller = make_tenant(scopes=[s for s in ALL_SCOPES if s != scope])
    response = client.request(method, fill(path), headers=caller.headers)
    assert response.status_code == 403
    assert response.json() == {"detail": f"This API key lacks the required scope: {scope}"}


WITH_IDS = [(m, p, r) for m, p, r in ROUTES if "{" in p]


@pytest.mark.parametrize(("method", "path", "route"), WITH_IDS, ids=[f"{m} {p}" for m, p, _ in WITH_IDS])
def test_other_accounts_resources_are_404(client, tenant, other_tenant, method, path, route):
    prefix, factory = factory_for(path)
    assert factory is not None, f"add a resource factory for {path} to RESOURCE_FACTORIES"
    resource_id = factory(client, tenant)
    path = fill(path.replace(re.search(r"\{[^}]+\}", prefix).group(0), resource_id, 1))
    response = client.request(method, path, headers=other_tenant.headers, json={})
    assert response.status_code in (404, 422), response.text
    if response.status_code == 404:
        assert resource_id not in response.text
    # The owner still sees it untouched (a GET on the resource itself, where there is one).
    if any(p == prefix and m == "GET" for m, p, _ in ROUTES):
        assert client.get(prefix.replace(re.search(r"\{[^}]+\}", prefix).group(0), resource_id),
                          headers=tenant.headers).status_code == 200
