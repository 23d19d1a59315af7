"""The error contract: every error is {"detail": ...}, and a client never sees a stack trace."""

from fastapi.testclient import TestClient


def test_unknown_route_is_404_not_found(client):
    response = client.get("/api/v2/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_validation_error_lists_loc_msg_type(client, tenant):
    response = client.post("/api/v2/sessions", json={}, headers=tenant.headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["type"] == "missing"
    assert error["msg"]


def test_validation_error_does_not_echo_input(client):
    response = client.post("/api/v2/auth/register", json={"email": "x", "password": "secret-pw-123456789",
                                                          "account_name": "A"})
    assert response.status_code == 422
    assert "secret-pw" not in response.text


def test_malformed_json_is_400(client, tenant):
    response = client.post("/api/v2/sessions", content=b'{"name": ', headers={**tenant.headers,
                                                                              "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON body")


def test_crash_is_500_without_stack_trace(app, services):
    @app.get("/api/v2/boom")
    def boom():
        raise RuntimeError("secret internals /home/app/main.py line 1")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v2/boom", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert response.headers["X-Request-ID"] == "req-123"
    assert "secret internals" not in response.text


def test_every_response_has_a_request_id(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) >= 8


def test_plan_limit_names_the_plans(client, tenant):
    assert client.post("/api/v2/sessions", json={"name": "one"}, headers=tenant.headers).status_code == 201
    second = client.post("/api/v2/sessions", json={"name": "two"}, headers=tenant.headers)
    assert second.status_code == 403
    detail = second.json()["detail"]
    assert detail.startswith("The Free plan allows 1 sessions. The server's operator can change the plan with "
                             "`replybase accounts set-plan ")
    assert " growth`" in detail


def test_plan_limit_names_the_account_and_the_next_plan():
    import pytest

    from app.accounts.plans import PlanLimitReached, require_below_limit

    require_below_limit("self-hosted", "documents", 10**9)  # no limit
    with pytest.raises(PlanLimitReached, match=r"allows 500 documents\. .*`replybase accounts set-plan ACC1 business`"):
        require_below_limit("growth", "documents", 500, "ACC1")


def test_feature_gate_says_which_plan_includes_it():
    import pytest

    from app.accounts.plans import PlanFeatureRequired, require_feature

    require_feature("growth", "bulk_messages")
    with pytest.raises(PlanFeatureRequired, match="included in the Growth, Business and Self-hosted plans. "
                                                  r"The server's operator can change the plan with "
                                                  r"`replybase accounts set-plan ACC1 growth`\."):
        require_feature("free", "bulk_messages", "ACC1")


def test_nul_characters_are_refused_alike_on_every_database(client, tenant):
    """PostgreSQL cannot store NUL: unchecked, it would be a 500 there and stored as is on SQLite."""
    body = client.post("/api/v2/sessions", json={"name": "Sh\u0000op"}, headers=tenant.headers)
    assert body.status_code == 422 and "NUL" in body.json()["detail"]
    url = client.get("/api/v2/messages/chats/15551234567%00", headers=tenant.headers)
    assert url.status_code == 422 and "URL" in url.json()["detail"]
    assert client.get("/api/v2/sessions", headers=tenant.headers).json() == []  # nothing was stored
    # A backslash followed by the text "u0000" is no NUL.
    literal = client.post("/api/v2/sessions", content=rb'{"name": "Shop \\u0000"}',
                          headers={**tenant.headers, "Content-Type": "application/json"})
    assert literal.status_code == 201 and literal.json()["name"] == "Shop \\u0000"


def test_a_value_the_database_cannot_store_is_422(client, tenant, services):
    # A form field is not checked at the door; PostgreSQL's refusal becomes a 422, SQLite stores the text.
    upload = client.post("/api/v2/ai/knowledge-base/upload", headers=tenant.headers,
                         files={"file": ("notes.txt", b"Opening hours are nine to five.")},
                         data={"title": "Hours\x00"})
    if services.engine.dialect.name == "postgresql":
        assert upload.status_code == 422 and "cannot be stored" in upload.json()["detail"]
    else:
        assert upload.status_code == 202


def test_an_over_long_chat_id_is_422(client, tenant):
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    response = client.post(f"/api/v2/ai/auto-reply/{session_id}/chats/{'1' * 80}@c.us/pause",
                           json={"minutes": 5}, headers=tenant.headers)
    assert response.status_code == 422
