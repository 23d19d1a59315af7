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
    assert second.json() == {"detail": "The Free plan allows 1 sessions; upgrade for more."}


def test_feature_gate_says_which_plan_includes_it():
    import pytest

    from app.accounts.plans import PlanFeatureRequired, require_feature

    require_feature("growth", "bulk_messages")
    with pytest.raises(PlanFeatureRequired, match="included in the Growth and Business plans"):
        require_feature("free", "bulk_messages")
