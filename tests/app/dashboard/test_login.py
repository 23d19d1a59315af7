"""Dashboard logins through the ASGI app on both databases: cookies, refresh, logout, refusals in plain words."""

from app.auth import tokens

API = "/api/v2"


def log_in(client, tenant, next_page: str = "/"):
    response = client.post("/login", data={"email": tenant.email, "password": tenant.password, "next": next_page},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def test_pages_send_strangers_to_the_login_and_back_where_they_were(client, tenant):
    page = client.get("/kb?status=failed", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/kb%3Fstatus%3Dfailed"
    polled = client.get("/review?part=1", headers={"HX-Request": "true"})
    assert polled.status_code == 401 and polled.headers["HX-Redirect"].startswith("/login?next=/review")
    assert log_in(client, tenant, "/kb?status=failed").headers["location"] == "/kb?status=failed"
    # Only a page of this site: never a redirect to another one.
    client.cookies.clear()
    assert log_in(client, tenant, "//evil.example/").headers["location"] == "/"


def test_a_wrong_password_is_said_plainly_and_sets_nothing(client, tenant):
    response = client.post("/login", data={"email": tenant.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert "Incorrect email or password" in response.text
    assert "rb_access" not in response.cookies


def test_login_cookies_are_http_only_and_logout_ends_the_login_on_the_server(client, tenant):
    response = log_in(client, tenant)
    set_cookies = response.headers.get_list("set-cookie")
    assert len(set_cookies) == 2
    assert all("HttpOnly" in c and "SameSite=strict" in c for c in set_cookies)
    access = client.cookies["rb_access"]
    home = client.get("/")
    assert home.status_code == 200
    # A tenant's data: never cached, never framed, nothing loaded from another site.
    assert home.headers["Cache-Control"] == "no-store" and home.headers["X-Frame-Options"] == "DENY"
    assert home.headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert client.get(f"{API}/account", headers={"Authorization": f"Bearer {access}"}).status_code == 200

    assert client.post("/logout", follow_redirects=False).headers["location"] == "/login"
    assert "rb_access" not in client.cookies
    assert client.get(f"{API}/account", headers={"Authorization": f"Bearer {access}"}).status_code == 401


def test_a_stale_access_token_is_refreshed_once_even_when_polls_race(client, services, tenant):
    log_in(client, tenant)
    refresh = client.cookies["rb_refresh"]
    sid = tokens.decode_access_token(services.jwt_secret, client.cookies["rb_access"])["sid"]
    stale = tokens.encode_access_token(services.jwt_secret, user_id=tenant.user_id, account_id=tenant.account_id,
                                       login_session_id=sid, ttl_seconds=-1)
    # Two polls leave the page with the same stale pair; refresh tokens rotate and a replay ends the login, so the
    # second must reuse the first one's refresh.
    cookies = {"rb_access": stale, "rb_refresh": refresh}
    client.cookies.clear()
    first = client.get("/review?part=1", cookies=cookies)
    client.cookies.clear()
    second = client.get("/review?part=1", cookies=cookies)
    assert first.status_code == second.status_code == 200
    renewed = first.cookies["rb_refresh"]
    assert renewed != refresh and second.cookies["rb_refresh"] == renewed
    assert client.get("/", cookies={"rb_access": first.cookies["rb_access"], "rb_refresh": renewed}).status_code == 200


def test_a_form_posted_from_another_site_is_refused(client, tenant):
    log_in(client, tenant)
    response = client.post("/keys", data={"label": "x", "preset": "Full access"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert "another site" in response.text
    # What browsers send, whatever Host a reverse proxy passes on.
    fetched = client.post("/keys", data={"label": "x", "preset": "Full access"},
                          headers={"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"})
    assert fetched.status_code == 403
    assert client.get(f"{API}/api-keys", headers=tenant.headers).json()[0]["label"] == "test key"


def test_another_accounts_document_reads_as_missing(client, tenant, other_tenant):
    upload = client.post(f"{API}/ai/knowledge-base/text", headers=other_tenant.headers,
                         json={"title": "Secret prices", "text": "Wholesale is 40% off."})
    log_in(client, tenant)
    response = client.get(f"/kb/documents/{upload.json()['id']}")
    assert response.status_code == 404
    assert "Secret prices" not in response.text


def test_invalid_settings_are_named_in_plain_words_where_the_page_shows_errors(client, tenant):
    session_id = client.post(f"{API}/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    log_in(client, tenant)
    response = client.post(f"/bot/{session_id}", headers={"HX-Request": "true"},
                           data={"mode": "review", "hours_enabled": "1", "timezone": "Mars/Olympus",
                                 "mon_start": "18:00", "mon_end": "09:00"})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#flash"
    assert "Business hours timezone" in response.text and "Mars/Olympus" in response.text
    assert client.get(f"{API}/ai/auto-reply/{session_id}", headers=tenant.headers).json()["mode"] == "auto"


def test_home_counts_documents_and_links_the_session(client, tenant):
    session_id = client.post(f"{API}/sessions", json={"name": "Front desk"}, headers=tenant.headers).json()["id"]
    client.post(f"{API}/ai/knowledge-base/text", headers=tenant.headers, json={"title": "Hours", "text": "9 to 5."})
    log_in(client, tenant)
    home = client.get("/").text
    assert f'href="/sessions/{session_id}">Front desk</a>' in home
    assert '<a href="/kb?status=processing"><span class="badge wait">processing</span> <strong>1</strong>' in home


def test_password_guessing_is_throttled_like_the_api_login(client, services, tenant):
    services.settings.login_limit_per_account = "3/minute"
    for _ in range(3):
        assert client.post("/login", data={"email": tenant.email, "password": "guess"}).status_code == 401
    refused = client.post("/login", data={"email": tenant.email, "password": tenant.password})
    assert refused.status_code == 429
    assert "Too many login attempts on this account" in refused.text and int(refused.headers["Retry-After"]) > 0
