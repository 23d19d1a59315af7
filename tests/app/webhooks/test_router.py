import socket

import pytest

from app.webhooks.service import emit_event


def create(client, tenant, **overrides):
    body = {"url": "http://127.0.0.1:9/hooks", "events": ["message.received"], "name": "CRM"} | overrides
    return client.post("/api/v2/webhooks", json=body, headers=tenant.headers)


def test_create_shows_the_secret_once(client, tenant):
    response = create(client, tenant, events=["message.received", "message.status", "message.received"])
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["message.received", "message.status"]
    assert created["is_active"] is True

    listed = client.get("/api/v2/webhooks", headers=tenant.headers).json()
    one = client.get(f"/api/v2/webhooks/{created['id']}", headers=tenant.headers).json()
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0] and "secret" not in one
    assert one["url"] == "http://127.0.0.1:9/hooks"


@pytest.mark.parametrize("events", [[], ["message.nope"], "message.received"])
def test_bad_events_are_422(client, tenant, events):
    response = create(client, tenant, events=events)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "events"]


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://10.1.2.3/x", "http://169.254.169.254/latest",
                                 "http://[::1]/x", "http://localhost:8000/x", "http://192.168.0.10/x"])
def test_private_urls_are_refused(client, tenant, services, url):
    services.settings.allow_private_urls = False
    response = create(client, tenant, url=url)
    assert response.status_code == 422
    assert "private, loopback or link-local" in response.json()["detail"]
    assert client.get("/api/v2/webhooks", headers=tenant.headers).json() == []


def test_public_url_is_accepted_when_every_address_is_public(client, tenant, services, monkeypatch):
    services.settings.allow_private_urls = False
    answers = {"hooks.example.com": ["93.184.216.34"], "mixed.example.com": ["93.184.216.34", "10.0.0.5"]}

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    assert create(client, tenant, url="https://hooks.example.com/in").status_code == 201
    refused = create(client, tenant, url="https://mixed.example.com/in")
    assert refused.status_code == 422 and "private" in refused.json()["detail"]


@pytest.mark.parametrize("url", ["ftp://example.com/x", "not a url", "/relative"])
def test_non_http_urls_are_refused(client, tenant, url):
    response = create(client, tenant, url=url)
    assert response.status_code == 422
    assert "http:// or https://" in response.json()["detail"]


def test_delete(client, tenant, other_tenant):
    webhook_id = create(client, tenant).json()["id"]
    assert client.delete(f"/api/v2/webhooks/{webhook_id}", headers=other_tenant.headers).status_code == 404
    assert client.delete(f"/api/v2/webhooks/{webhook_id}", headers=tenant.headers).status_code == 204
    missing = client.get(f"/api/v2/webhooks/{webhook_id}", headers=tenant.headers)
    assert missing.status_code == 404 and missing.json() == {"detail": "Webhook not found"}


def test_deliveries_are_listed_newest_first(client, tenant, services):
    webhook_id = create(client, tenant, events=["message.received", "session.status"]).json()["id"]
    with services.session_factory() as session:
        emit_event(session, tenant.account_id, "message.received", {"n": 1})
        emit_event(session, tenant.account_id, "session.status", {"n": 2})
        session.commit()
    page = client.get(f"/api/v2/webhooks/{webhook_id}/deliveries", headers=tenant.headers).json()
    deliveries = page["items"]
    assert [d["event"] for d in deliveries] == ["session.status", "message.received"] and page["total"] == 2
    assert deliveries[0]["status"] == "pending" and deliveries[0]["attempts"] == 0
    only = client.get(f"/api/v2/webhooks/{webhook_id}/deliveries?limit=1&offset=1", headers=tenant.headers).json()
    assert [d["event"] for d in only["items"]] == ["message.received"]
    assert (only["total"], only["limit"], only["offset"]) == (2, 1, 1)
    assert client.get(f"/api/v2/webhooks/{webhook_id}/deliveries?status=delivered",
                      headers=tenant.headers).json()["items"] == []
