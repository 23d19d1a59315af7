"""Throttles on login, sign-up, token refresh and gateway callbacks: per address, and per account for login."""

import dataclasses
import os
import secrets

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import Settings
from app.main import create_app
from app.ratelimit import AccountRateLimiter

LOGIN = "/api/v2/auth/login"
REDIS_URL = os.environ.get("REPLYBASE_TEST_REDIS_URL", "")


def login(client, tenant, password=None, **headers):
    return client.post(LOGIN, json={"email": tenant.email, "password": password or tenant.password}, headers=headers)


def assert_throttled(response, what: str) -> None:
    assert response.status_code == 429, response.text
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= 60
    assert response.json() == {"detail": f"Too many {what}; try again in {retry_after} seconds."}


def test_the_11th_login_in_a_minute_is_429_even_with_the_right_password(client, tenant):
    for _ in range(10):
        assert login(client, tenant, "wrong-password").status_code == 401
    assert_throttled(login(client, tenant), "login attempts on this account")


def test_another_account_from_the_same_address_until_the_address_cap(client, services, tenant, other_tenant):
    services.settings.login_limit_per_account = "3/minute"
    services.settings.login_limit_per_address = "5/minute"
    for _ in range(3):
        assert login(client, tenant, "wrong-password").status_code == 401
    assert_throttled(login(client, tenant), "login attempts on this account")
    assert login(client, other_tenant).status_code == 200  # the address's 5th attempt
    assert_throttled(login(client, other_tenant), "login attempts from your address")


def test_rotating_addresses_is_still_slowed_on_one_account(services, tenant):
    """Behind a trusted proxy every attempt comes from a new address: the account's own cap still holds."""
    services.settings.trusted_proxies = "10.0.0.0/8"
    services.settings.login_limit_per_account = "3/minute"
    with TestClient(create_app(services=services), client=("10.0.0.7", 40000)) as proxied:
        for n in range(3):
            response = login(proxied, tenant, "wrong-password", **{"X-Forwarded-For": f"198.51.100.{n}"})
            assert response.status_code == 401
        assert_throttled(login(proxied, tenant, **{"X-Forwarded-For": "198.51.100.99"}),
                         "login attempts on this account")


def test_forwarded_for_is_believed_only_from_trusted_proxies(services, make_tenant):
    services.settings.login_limit_per_address = "2/minute"
    tenants = [make_tenant() for _ in range(3)]
    # No trusted proxy: a forged header changes nothing, the socket peer is the address.
    with TestClient(create_app(services=services), client=("192.0.2.1", 40000)) as direct:
        assert [login(direct, t, **{"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                for n, t in enumerate(tenants)] == [200, 200, 429]

    services.settings.trusted_proxies = "10.0.0.1"
    with TestClient(create_app(services=services), client=("10.0.0.1", 40000)) as proxied:
        assert [login(proxied, t, **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code
                for n, t in enumerate(tenants)] == [200, 200, 200]
        same = [login(proxied, t, **{"X-Forwarded-For": "203.0.113.50"}).status_code for t in tenants]
        assert same == [200, 200, 429]


def test_sign_up_and_refresh_are_throttled_per_address(client, services, tenant):
    services.settings.allow_signup = True
    services.settings.register_limit_per_address = "2/hour"
    services.settings.refresh_limit_per_address = "2/minute"
    for n in range(2):
        body = {"email": f"new{n}@example.com", "password": "password-123", "account_name": f"Shop {n}"}
        assert client.post("/api/v2/auth/register", json=body).status_code == 201
    third = client.post("/api/v2/auth/register",
                        json={"email": "new2@example.com", "password": "password-123", "account_name": "Shop 2"})
    assert third.status_code == 429 and 3000 < int(third.headers["Retry-After"]) <= 3600
    assert third.json()["detail"].startswith("Too many sign-ups from your address; try again in")

    token = login(client, tenant).json()["refresh_token"]
    for _ in range(2):
        response = client.post("/api/v2/auth/refresh", json={"refresh_token": token})
        assert response.status_code == 200
        token = response.json()["refresh_token"]
    assert_throttled(client.post("/api/v2/auth/refresh", json={"refresh_token": token}),
                     "token refreshes from your address")


def test_gateway_callbacks_are_throttled_per_address(services, fake_waha, fake_meta):
    services.settings.gateway_callback_limit_per_address = "3/minute"
    unsigned = {"content": b"{}", "headers": {"Content-Type": "application/json"}}
    with TestClient(create_app(services=services), client=("192.0.2.1", 40000)) as gateway:
        assert gateway.post("/api/v2/gateways/waha/events", **unsigned).status_code == 401
        assert gateway.post("/api/v2/gateways/meta/webhook", **unsigned).status_code == 401
        assert gateway.post("/api/v2/gateways/waha/events", **unsigned).status_code == 401
        assert_throttled(gateway.post("/api/v2/gateways/meta/webhook", **unsigned),
                         "gateway callbacks from your address")
    with TestClient(create_app(services=services), client=("192.0.2.2", 40000)) as other_gateway:
        assert other_gateway.post("/api/v2/gateways/waha/events", **unsigned).status_code == 401


@pytest.mark.skipif(not REDIS_URL, reason="REPLYBASE_TEST_REDIS_URL not set")
def test_replicas_share_the_counts_in_redis(services, tenant):
    services.settings.trusted_proxies = "127.0.0.1"
    services.settings.login_limit_per_account = "100/minute"
    services.settings.login_limit_per_address = "2/minute"
    address = f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"  # fresh: Redis outlives the test
    services.rate_limiter = AccountRateLimiter(REDIS_URL, 3600)
    replica_a = TestClient(create_app(services=services), client=("127.0.0.1", 40000))
    services_b = dataclasses.replace(services, rate_limiter=AccountRateLimiter(REDIS_URL, 3600))
    replica_b = TestClient(create_app(services=services_b), client=("127.0.0.1", 40001))
    with replica_a, replica_b:
        assert login(replica_a, tenant, **{"X-Forwarded-For": address}).status_code == 200
        assert login(replica_b, tenant, **{"X-Forwarded-For": address}).status_code == 200
        assert_throttled(login(replica_a, tenant, **{"X-Forwarded-For": address}), "login attempts from your address")


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("login_limit_per_account", "ten a minute", "not a rate limit; write it like 10/minute"),
    ("trusted_proxies", "10.0.0.1, proxy.local", "'proxy.local' is not an IP address or network"),
])
def test_bad_throttle_settings_fail_at_start(setting, value, message):
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **{setting: value})
