from app.auth import tokens

REGISTER = "/api/v2/auth/register"


def login(client, email, password):
    response = client.post("/api/v2/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def test_first_registration_is_open_then_closed(client):
    first = client.post(REGISTER, json={"email": "a@shop.example.com", "password": "password-1",
                                        "account_name": "Shop A"})
    assert first.status_code == 201, first.text
    assert set(first.json()) == {"account_id", "user_id", "email", "plan"}
    assert first.json()["plan"] == "free"

    second = client.post(REGISTER, json={"email": "b@shop.example.com", "password": "password-1",
                                         "account_name": "Shop B"})
    assert second.status_code == 403
    assert "REPLYBASE_ALLOW_SIGNUP" in second.json()["detail"]


def test_open_signup_and_duplicate_email(client, services, tenant):
    services.settings.allow_signup = True
    body = {"email": "new@shop.example.com", "password": "password-1", "account_name": "New"}
    assert client.post(REGISTER, json=body).status_code == 201
    duplicate = client.post(REGISTER, json=body)
    assert duplicate.status_code == 409
    assert duplicate.json() == {"detail": "A user with this email already exists"}


def test_login_gives_bearer_tokens_that_authenticate(client, tenant):
    pair = login(client, tenant.email, tenant.password)
    assert pair["token_type"] == "bearer" and pair["expires_in"] == 900
    response = client.get("/api/v2/sessions", headers={"Authorization": f"Bearer {pair['access_token']}"})
    assert response.status_code == 200
    assert response.json() == []


def test_wrong_password_is_401(client, tenant):
    response = client.post("/api/v2/auth/login", json={"email": tenant.email, "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password"}


def test_refresh_rotates_and_old_token_stops_working(client, tenant):
    pair = login(client, tenant.email, tenant.password)
    rotated = client.post("/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert rotated.status_code == 200
    assert rotated.json()["refresh_token"] != pair["refresh_token"]

    replay = client.post("/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert replay.status_code == 401
    # Replaying a rotated token looks like theft: the whole login ends, the new token too.
    after_replay = client.post("/api/v2/auth/refresh", json={"refresh_token": rotated.json()["refresh_token"]})
    assert after_replay.status_code == 401


def test_logout_ends_access_and_refresh(client, tenant):
    pair = login(client, tenant.email, tenant.password)
    bearer = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.post("/api/v2/auth/logout", headers=bearer,
                       json={"refresh_token": pair["refresh_token"]}).status_code == 204
    assert client.get("/api/v2/sessions", headers=bearer).status_code == 401
    assert client.post("/api/v2/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_expired_and_forged_jwt_are_401(client, services, tenant):
    pair = login(client, tenant.email, tenant.password)
    claims = tokens.decode_access_token(services.jwt_secret, pair["access_token"])
    expired = tokens.encode_access_token(services.jwt_secret, user_id=claims["sub"], account_id=claims["acc"],
                                         login_session_id=claims["sid"], ttl_seconds=-5)
    forged = tokens.encode_access_token("another-secret-" + "y" * 32, user_id=claims["sub"],
                                        account_id=claims["acc"], login_session_id=claims["sid"], ttl_seconds=60)
    for token in (expired, forged, "not.a.jwt"):
        response = client.get("/api/v2/sessions", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid or expired token"}


def test_jwt_secret_is_generated_once_and_persisted(tmp_path):
    first = tokens.load_or_create_jwt_secret("", tmp_path)
    assert len(first) >= 48
    assert tokens.load_or_create_jwt_secret("", tmp_path) == first
    assert oct((tmp_path / "jwt_secret").stat().st_mode & 0o777) == "0o600"
