import os
import secrets
import time

import pytest

from app.ratelimit import AccountRateLimiter


def test_limit_headers_and_429(client, services, tenant):
    services.settings.rate_limit_free = 3
    remaining = []
    for _ in range(3):
        response = client.get("/api/v2/sessions", headers=tenant.headers)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert int(response.headers["X-RateLimit-Reset"]) > 0
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == [2, 1, 0]

    blocked = client.get("/api/v2/sessions", headers=tenant.headers)
    assert blocked.status_code == 429
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= 3600
    assert blocked.json() == {"detail": f"Rate limit exceeded. Try again in {retry_after} seconds. The Free plan "
                                        "allows 3 requests an hour. The server's operator can change the plan with "
                                        f"`replybase accounts set-plan {tenant.account_id} growth`."}
    assert blocked.headers["X-RateLimit-Remaining"] == "0"


def test_the_biggest_plan_names_its_setting(client, services, make_tenant):
    services.settings.rate_limit_self_hosted = 1
    operator = make_tenant(plan="self-hosted")
    assert client.get("/api/v2/sessions", headers=operator.headers).status_code == 200
    detail = client.get("/api/v2/sessions", headers=operator.headers).json()["detail"]
    assert detail.endswith("The Self-hosted plan allows 1 requests an hour. "
                           "The server's operator can raise REPLYBASE_RATE_LIMIT_SELF_HOSTED.")


def test_budgets_are_per_account_and_per_plan(client, services, make_tenant):
    services.settings.rate_limit_free = 1
    services.settings.rate_limit_growth = 5
    free, other_free, growth = make_tenant(), make_tenant(), make_tenant(plan="growth")
    assert client.get("/api/v2/sessions", headers=free.headers).status_code == 200
    assert client.get("/api/v2/sessions", headers=free.headers).status_code == 429
    assert client.get("/api/v2/sessions", headers=other_free.headers).status_code == 200
    response = client.get("/api/v2/sessions", headers=growth.headers)
    assert response.headers["X-RateLimit-Limit"] == "5"


REDIS_URL = os.environ.get("REPLYBASE_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="REPLYBASE_TEST_REDIS_URL not set")
def test_redis_budget_is_shared_by_replicas():
    replica_a = AccountRateLimiter(REDIS_URL, 3600)
    replica_b = AccountRateLimiter(REDIS_URL, 3600)
    assert replica_a.check_storage()
    account = "acct-" + secrets.token_hex(6)
    assert replica_a.hit(account, 3).allowed
    assert replica_b.hit(account, 3).allowed
    third = replica_a.hit(account, 3)
    assert third.allowed and third.remaining == 0
    assert not replica_b.hit(account, 3).allowed
    assert replica_b.used(account, 3) == 3


def test_service_uses_redis_when_configured(client, services, tenant):
    if not REDIS_URL:
        pytest.skip("REPLYBASE_TEST_REDIS_URL not set")
    services.rate_limiter = AccountRateLimiter(REDIS_URL, 3600)
    services.settings.rate_limit_free = 2
    # Another replica already spent one request of this account's budget.
    AccountRateLimiter(REDIS_URL, 3600).hit(tenant.account_id, 2)
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 200
    assert client.get("/api/v2/sessions", headers=tenant.headers).status_code == 429


@pytest.mark.parametrize("storage", ["memory://"] + ([REDIS_URL] if REDIS_URL else []))
def test_a_new_window_starts_with_the_whole_budget_and_a_later_reset(storage):
    limiter = AccountRateLimiter(storage, 1)
    account = "acct-" + secrets.token_hex(6)
    first, second, third = (limiter.hit(account, 2) for _ in range(3))
    assert [first.remaining, second.remaining, third.allowed] == [1, 0, False]
    assert first.reset_at == third.reset_at
    time.sleep(max(0.0, third.reset_time - time.time()) + 1.05)  # Redis counts whole seconds
    again = limiter.hit(account, 2)
    assert again.allowed and again.remaining == 1
    assert again.reset_at > third.reset_at
