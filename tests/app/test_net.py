"""DNS rebinding: the address a user-supplied URL was checked against is the address the fetch connects to.

A rebinding DNS server answers a harmless address to the first lookup and a private one to the next. These tests
play that server with a patched resolver, and let 127.0.0.1 stand for "a public address" (tests may reach nothing
else), so a second lookup would return 10.0.0.1 and the connection would be refused by the tests' socket guard.
"""

import socket
from urllib.parse import urlsplit

import pytest

import app.net
from app.net import UnsafeUrl, public_http_client

HOST = "cdn.rebind.test"


@pytest.fixture
def rebinding_dns(monkeypatch):
    """Answers 127.0.0.1 ("public") to the first lookup of HOST and 10.0.0.1 (private) to every later one."""
    real_getaddrinfo = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host != HOST:
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = "127.0.0.1" if not lookups else "10.0.0.1"
        lookups.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(app.net, "_is_public", lambda address: address == "127.0.0.1")
    return lookups


def rebound(url: str) -> str:
    return url.replace("127.0.0.1", HOST)


def test_media_is_fetched_from_the_address_that_was_checked(client, tenant, settings, media_host, rebinding_dns):
    settings.allow_private_urls = False
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    url = rebound(media_host.add("menu.pdf", "application/pdf", b"%PDF-1.4"))
    response = client.post("/api/v2/messages/send", headers=tenant.headers,
                           json={"session_id": session_id, "phone": "15551234567", "message": "Menu",
                                 "media_url": url})
    assert response.status_code == 200, response.text
    assert rebinding_dns == ["127.0.0.1"]  # one lookup: the connection did not resolve the host again


def test_a_host_that_rebinds_to_a_private_address_is_refused_at_connect_time(rebinding_dns, media_host):
    url = rebound(media_host.add("menu.pdf", "application/pdf", b"%PDF-1.4"))
    with public_http_client(timeout=2, allow_private=False, what="media_url") as client:
        assert client.get(url).status_code == 200
    with public_http_client(timeout=2, allow_private=False, what="media_url") as client:
        with pytest.raises(UnsafeUrl, match="private, loopback or link-local"):
            client.get(url)
    assert rebinding_dns == ["127.0.0.1", "10.0.0.1"]


def test_webhook_delivery_connects_to_the_checked_address(client, services, tenant, run_jobs, rebinding_dns):
    from tests.servers.receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    try:
        services.settings.allow_private_urls = False
        port = urlsplit(receiver.url).port
        registered = client.post("/api/v2/webhooks", headers=tenant.headers,
                                 json={"url": f"http://{HOST}:{port}/hook", "events": ["message.received"]})
        assert registered.status_code == 201, registered.text  # lookup 1: "public"
        session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
        client.post("/api/v2/sandbox/inbound", headers=tenant.headers,
                    json={"session_id": session_id, "phone": "447700900123", "message": "hi"})
        run_jobs()
        assert receiver.requests == []  # lookup 2 said 10.0.0.1: refused, nothing was sent
        deliveries = client.get(f"/api/v2/webhooks/{registered.json()['id']}/deliveries",
                                headers=tenant.headers).json()
        assert "private, loopback or link-local" in str(deliveries)
    finally:
        receiver.stop()
