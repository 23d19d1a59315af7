"""Health, OpenAPI, migrations and the CLI: what a new user touches first."""

import os

from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from app.db import create_db_engine
from app.migrate import upgrade

FOUNDATION_TABLES = {"accounts", "users", "login_sessions", "api_keys", "wa_sessions", "jobs", "alembic_version"}


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "database": "ok", "redis": "not configured",
                                            "workers": "not checked"}


def test_docs_and_openapi(client):
    assert client.get("/docs").status_code == 200
    assert client.get("/redoc").status_code == 200
    spec = client.get("/openapi.json").json()
    assert {"Auth", "Account", "API keys", "Sessions"} <= {tag["name"] for tag in spec["tags"]}
    assert "/api/v2/sessions" in spec["paths"]
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])


def test_migrations_apply_from_empty_sqlite(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    upgrade(engine)  # idempotent
    assert FOUNDATION_TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_migrations_apply_from_empty_postgres():
    url = os.environ.get("REPLYBASE_TEST_DATABASE_URL")
    if not url:
        import pytest

        pytest.skip("REPLYBASE_TEST_DATABASE_URL not set")
    admin = create_db_engine(url)
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_check"))
    scoped_url = create_db_engine(url).url.render_as_string(hide_password=False)
    engine = create_engine(scoped_url, connect_args={"options": "-csearch_path=migration_check"})
    try:
        upgrade(engine)
        assert FOUNDATION_TABLES <= set(inspect(engine).get_table_names(schema="migration_check"))
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA migration_check CASCADE"))
        admin.dispose()


def test_cli_init_prints_a_working_key(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from app.cli import cli
    from app.config import Settings, get_settings
    from app.main import create_app

    monkeypatch.setenv("REPLYBASE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPLYBASE_RUN_WORKERS", "false")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["init", "--plan", "growth"])
        assert result.exit_code == 0, result.output
        key = next(line.split()[-1] for line in result.output.splitlines() if line.startswith("api_key:"))
        with TestClient(create_app(Settings(_env_file=None))) as client:
            response = client.get("/api/v2/sessions", headers={"X-API-Key": key})
            assert response.status_code == 200 and response.json() == []
            assert client.get("/api/v2/account", headers={"X-API-Key": key}).json()["plan"] == "growth"
        bad = CliRunner().invoke(cli, ["accounts", "set-plan", "nope", "gold"])
        assert bad.exit_code == 1
    finally:
        get_settings.cache_clear()
