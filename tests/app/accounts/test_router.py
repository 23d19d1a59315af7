def test_account_shows_plan_limits_and_usage(client, services, tenant):
    client.get("/api/v2/sessions", headers=tenant.headers)
    body = client.get("/api/v2/account", headers=tenant.headers).json()
    assert body["id"] == tenant.account_id
    assert body["plan"] == "free"
    assert body["limits"]["requests_per_hour"] == 100
    assert body["limits"]["max_sessions"] == 1
    assert body["usage"]["requests_this_hour"] == 2
    assert body["usage"]["sessions"] == 0


def test_set_plan_changes_the_limit(client, db, tenant):
    from app.accounts.service import set_plan

    set_plan(db, tenant.account_id, "business")
    db.commit()
    response = client.get("/api/v2/account", headers=tenant.headers)
    assert response.json()["plan"] == "business"
    assert response.headers["X-RateLimit-Limit"] == "10000"
