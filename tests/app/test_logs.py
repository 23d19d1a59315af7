"""Logs: the request (or job) id on every line, text or JSON lines, and no customer phone or text at INFO."""

import io
import json
import logging

import pytest

from app.logs import configure_logging, job_log_context

PHONE = "15557654321"
TEXT = "Do you fix tubeless tyres on Sundays?"


@pytest.fixture
def configured_logs(settings):
    """Logging configured as `replybase serve` does, into a buffer; the test runner's own handlers put back after."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    buffer = io.StringIO()

    def configure(log_format: str = "text") -> io.StringIO:
        settings.log_format = log_format
        assert configure_logging(settings, force=True, stream=buffer)
        return buffer

    yield configure
    root.handlers, root.level = saved


@pytest.fixture
def logging_endpoint(app):
    """A thread-pool endpoint that logs, as the services it calls do."""
    @app.get("/api/v2/log-something")
    def log_something() -> dict:
        logging.getLogger("replybase.test").info("inside the endpoint")
        return {}


def test_every_line_of_a_request_carries_its_request_id(client, caplog, logging_endpoint):
    caplog.set_level(logging.INFO)
    response = client.get("/api/v2/log-something", headers={"X-Request-ID": "abc"})
    assert response.headers["X-Request-ID"] == "abc"
    lines = [(r.name, r.request_id) for r in caplog.records if r.name in ("replybase.test", "replybase.access")]
    assert lines == [("replybase.test", "abc"), ("replybase.access", "abc")]


def test_a_request_without_an_id_gets_a_new_one_in_its_lines(client, caplog, logging_endpoint):
    caplog.set_level(logging.INFO)
    response = client.get("/api/v2/log-something")
    [record] = [r for r in caplog.records if r.name == "replybase.test"]
    assert record.request_id == response.headers["X-Request-ID"] != "-"


def test_text_lines_show_the_request_id(client, configured_logs, logging_endpoint):
    buffer = configured_logs("text")
    client.get("/api/v2/log-something", headers={"X-Request-ID": "abc"})
    [line] = [line for line in buffer.getvalue().splitlines() if "inside the endpoint" in line]
    assert " INFO replybase.test [abc] inside the endpoint" in line


def test_json_lines_parse_and_carry_the_request_id(client, configured_logs, logging_endpoint):
    buffer = configured_logs("json")
    client.get("/api/v2/log-something", headers={"X-Request-ID": "abc"})
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    inside = next(r for r in records if r["message"] == "inside the endpoint")
    assert (inside["level"], inside["logger"], inside["request_id"]) == ("INFO", "replybase.test", "abc")
    assert inside["time"].startswith("20")
    access = next(r for r in records if r["logger"] == "replybase.access")
    assert access["message"].startswith("GET /api/v2/log-something 200 ") and access["request_id"] == "abc"


def test_an_unhandled_error_is_logged_with_the_request_id(app, caplog):
    from fastapi.testclient import TestClient

    @app.get("/api/v2/boom")
    def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/api/v2/boom", headers={"X-Request-ID": "req-9"}).status_code == 500
    [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert record.request_id == "req-9" and record.exc_info


def test_job_lines_carry_the_job_id_in_the_same_field(configured_logs):
    buffer = configured_logs("json")
    with job_log_context(42):
        logging.getLogger("replybase.worker").warning("job failed")
    logging.getLogger("replybase.worker").warning("between jobs")
    first, second = (json.loads(line) for line in buffer.getvalue().splitlines())
    assert (first["request_id"], second["request_id"]) == ("job-42", "-")


def test_uvicorn_and_outgoing_http_lines_go_through_the_same_handler(configured_logs):
    buffer = configured_logs("text")
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET /api/v2/messages/chats/15557654321 HTTP/1.1" 200')
    for client_logger in ("httpx", "httpx2"):
        logging.getLogger(client_logger).info("HTTP Request: POST https://hooks.example.com/?token=secret")
    output = buffer.getvalue()
    assert "Application startup complete." in output
    assert PHONE not in output and "secret" not in output  # raw paths and URLs: WARNING and up only


def test_no_phone_or_message_text_at_info_for_an_inbound_message(client, tenant, configured_logs, run_jobs):
    buffer = configured_logs("text")  # the INFO log exactly as `replybase serve` writes it
    session_id = client.post("/api/v2/sessions", json={"name": "Shop"}, headers=tenant.headers).json()["id"]
    bot = client.put(f"/api/v2/ai/auto-reply/{session_id}", json={"enabled": True, "debounce_seconds": 0},
                     headers=tenant.headers)
    assert bot.status_code == 200, bot.text
    inbound = client.post("/api/v2/sandbox/inbound", headers=tenant.headers,
                          json={"session_id": session_id, "phone": PHONE, "message": TEXT})
    assert inbound.status_code == 200, inbound.text
    assert run_jobs() >= 1
    assert client.get(f"/api/v2/messages/chats/{PHONE}", headers=tenant.headers).status_code == 200

    [reply] = client.get("/api/v2/ai/replies", headers=tenant.headers).json()["items"]
    assert reply["status"] in ("sent", "handoff")  # the bot answered the customer

    lines = buffer.getvalue().splitlines()
    assert any("replybase.access" in line and "GET /api/v2/messages/chats/{chat_id} 200" in line for line in lines)
    assert [line for line in lines if PHONE in line or TEXT in line] == []
