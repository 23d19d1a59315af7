"""Inputs a fuzzer (schemathesis) found that used to end in 500: each is now a 4xx that says what is wrong."""

import hashlib
import hmac
import json

import pytest

from tests.servers.fixtures import META_APP_SECRET, WAHA_WEBHOOK_SECRET
from tests.servers.meta import meta_webhook
from tests.servers.waha import waha_event

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [f"/api/v2/messages/chats?offset={HUGE}", f"/api/v2/ai/replies?offset={HUGE}",
                                  f"/api/v2/messages/bulk?offset={HUGE}", f"/api/v2/scheduled-messages?offset={HUGE}"])
def test_numbers_past_64_bits_are_422(client, tenant, path):
    assert client.get(path, headers=tenant.headers).status_code == 422


def test_a_huge_chunk_id_is_422(client, tenant):
    response = client.patch(f"/api/v2/ai/knowledge-base/chunks/{HUGE}", json={"enabled": False},
                            headers=tenant.headers)
    assert response.status_code == 422


@pytest.mark.parametrize("url", ["http://shop.example.com:abc/menu.pdf", "http://[zz::1]/menu.pdf",
                                 "http://[1.2.3.4]/menu.pdf", "http://shop.example.com:99999/menu.pdf",
                                 "http://xn--/menu.pdf", "http://xn--zz-zzz.com/menu.pdf"])
def test_urls_that_do_not_parse_are_422(client, tenant, url):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    send = client.post("/api/v2/messages/send", headers=tenant.headers,
                       json={"session_id": session_id, "phone": "15551234567", "message": "Menu", "media_url": url})
    assert send.status_code == 422 and "not a valid URL" in send.json()["detail"]
    hook = client.post("/api/v2/webhooks", json={"url": url, "events": ["message.received"]},
                       headers=tenant.headers)
    assert hook.status_code == 422
    waha = client.post("/api/v2/sessions", headers=tenant.headers,
                       json={"name": "W", "gateway": "waha", "config": {"base_url": url}})
    assert waha.status_code == 422


def test_a_blank_idempotency_key_means_no_key(client, tenant):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    body = {"session_id": session_id, "phone": "15551234567", "message": "Hi"}
    first, second = (client.post("/api/v2/messages/send", json=body, headers={**tenant.headers,
                                                                               "Idempotency-Key": " "})
                     for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.json()["result"]["key"]["id"] != second.json()["result"]["key"]["id"]


def test_business_hours_zone_must_be_a_zone(client, tenant):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    for zone in ("America", "Etc", "A" * 300, "../../etc/passwd"):
        response = client.put(f"/api/v2/ai/auto-reply/{session_id}", headers=tenant.headers,
                              json={"business_hours": {"timezone": zone, "days": {}}})
        assert response.status_code == 422, zone


def test_signed_callbacks_of_the_wrong_shape_are_400(client, tenant, fake_waha, fake_meta):
    deep = b'{"session": "x", "payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    signed = {"X-Webhook-Hmac": hmac.new(WAHA_WEBHOOK_SECRET.encode(), deep, hashlib.sha512).hexdigest(),
              "X-Webhook-Hmac-Algorithm": "sha512", "Content-Type": "application/json"}
    assert client.post("/api/v2/gateways/waha/events", content=deep, headers=signed).status_code == 400

    body, headers = waha_event("message", "rb-x", {"id": "m1", "from": "1@c.us", "timestamp": 10**30},
                               WAHA_WEBHOOK_SECRET)
    assert client.post("/api/v2/gateways/waha/events", content=body, headers=headers).status_code == 400

    body, headers = meta_webhook("106540352242922", app_secret=META_APP_SECRET)
    wrong = json.dumps(json.loads(body) | {"entry": ["not an object"]}).encode()
    headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(META_APP_SECRET.encode(), wrong, hashlib.sha256).hexdigest()
    assert client.post("/api/v2/gateways/meta/webhook", content=wrong, headers=headers).status_code == 400


def test_a_timestamp_past_year_9999_is_422(client, tenant):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    response = client.post("/api/v2/sandbox/inbound", headers=tenant.headers, json={
        "session_id": session_id, "phone": "447700900123", "message": "hi", "timestamp": "9999-12-31T23:59:59-14:00"})
    assert response.status_code == 422


def test_signatures_and_tokens_in_any_characters_are_refused_not_crashed(client, fake_waha, fake_meta):
    body = b'{"event": "message", "session": "rb-x", "payload": {}}'
    waha = client.post("/api/v2/gateways/waha/events", content=body,
                       headers={"X-Webhook-Hmac": b"\xe9", "Content-Type": "application/json"})
    assert waha.status_code == 401
    meta = client.post("/api/v2/gateways/meta/webhook", content=b"{}",
                       headers={"X-Hub-Signature-256": b"sha256=\xe9", "Content-Type": "application/json"})
    assert meta.status_code == 401
    verify = client.get("/api/v2/gateways/meta/webhook?hub.mode=subscribe&hub.verify_token=%C3%A9&hub.challenge=1")
    assert verify.status_code == 403


def test_nul_hides_in_neither_header_case_nor_utf16(client, tenant):
    for content, content_type in [(b'{"name": "V\\u0000IP"}', "Application/JSON"),
                                  ('{"name": "V\\u0000IP"}'.encode("utf-16-le"), "application/json")]:
        response = client.post("/api/v2/custom-groups", content=content,
                               headers={**tenant.headers, "Content-Type": content_type})
        assert response.status_code == 422, (content_type, response.text)


@pytest.mark.parametrize("config", [{"session": "../sessions/default"}, {"session": "a/b"}])
def test_a_waha_session_name_cannot_climb_out_of_its_path(client, tenant, fake_waha, config):
    response = client.post("/api/v2/sessions", json={"name": "W", "gateway": "waha", "config": config},
                           headers=tenant.headers)
    assert response.status_code == 422 and fake_waha.requests_to("POST", "/api/sessions") == []


def test_a_meta_phone_number_id_is_numeric(client, tenant, fake_meta):
    response = client.post("/api/v2/sessions", headers=tenant.headers, json={
        "name": "M", "gateway": "meta", "config": {"phone_number_id": "../../me", "access_token": "t"}})
    assert response.status_code == 422 and "numeric" in str(response.json()["detail"])
