"""Health, OpenAPI, migrations and the CLI: what a new user touches first."""

import os
import re

from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from app.db import create_db_engine
from app.migrate import upgrade

FOUNDATION_TABLES = {"accounts", "users", "login_sessions", "api_keys", "wa_sessions", "jobs", "alembic_version"}


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()  # this app runs no worker (tests drain jobs themselves)
    assert ready["status"] == "ready" and ready["database"] == "ok" and ready["redis"] == "not configured"
    assert ready["workers"].startswith("no live worker serves")


def test_docs_and_openapi(client):
    for page in ("/docs", "/redoc"):
        html = client.get(page)
        assert html.status_code == 200
        # Offline: nothing from a CDN, every script and style sheet is the service's own and is served.
        assert not re.search(r"https?://|//[a-z]", html.text, re.IGNORECASE), page
        assets = re.findall(r"""(?:src|href)=["']([^"']+)""", html.text)
        assert any(asset.endswith(".js") for asset in assets), page
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200 and served.content, asset
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


def test_cli_init_prints_a_working_key_on_an_unlimited_plan(tmp_path, monkeypatch):
    from fastapi.testclient import TestClient

    from app.cli import cli
    from app.config import Settings, get_settings
    from app.main import create_app

    monkeypatch.setenv("REPLYBASE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPLYBASE_RUN_WORKERS", "false")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["init"])
        assert result.exit_code == 0, result.output
        key = next(line.split()[-1] for line in result.output.splitlines() if line.startswith("api_key:"))
        account_id = next(line.split()[-1] for line in result.output.splitlines() if line.startswith("account_id:"))
        headers = {"X-API-Key": key}
        with TestClient(create_app(Settings(_env_file=None))) as client:
            response = client.get("/api/v2/sessions", headers=headers)
            assert response.status_code == 200 and response.json() == []
            # The README's quickstart makes more than one session: the operator's own account has no such limit.
            for name in ("Shop", "Workshop"):
                assert client.post("/api/v2/sessions", json={"name": name}, headers=headers).status_code == 201
            account = client.get("/api/v2/account", headers=headers).json()
            assert account["plan"] == "self-hosted"
            assert account["limits"]["max_sessions"] is None and account["limits"]["max_documents"] is None
            assert {"bulk_messages", "openai_drafter", "auto_reply", "knowledge_base"} <= set(
                account["limits"]["features"])

        moved = CliRunner().invoke(cli, ["accounts", "set-plan", account_id, "free"])
        assert moved.exit_code == 0, moved.output
        with TestClient(create_app(Settings(_env_file=None))) as client:
            refused = client.post("/api/v2/sessions", json={"name": "Third"}, headers=headers)
            assert refused.status_code == 403 and "replybase accounts set-plan" in refused.json()["detail"]
        bad = CliRunner().invoke(cli, ["accounts", "set-plan", "nope", "gold"])
        assert bad.exit_code == 1
        bad_init = CliRunner().invoke(cli, ["init", "--plan", "gold"])
        assert bad_init.exit_code == 1 and "unknown plan 'gold'" in bad_init.output
    finally:
        get_settings.cache_clear()


def test_migration_0013_detects_the_language_of_chunks_stored_before_it(tmp_path):
    from alembic import command
    from sqlmodel import Session, select

    from app.accounts.models import Account
    from app.kb.models import Chunk, Document
    from app.migrate import alembic_config

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine)
    texts = ["Las habitaciones dobles cuestan 80 euros por noche y el desayuno está incluido.",
             "Wi-Fi: gratis",  # too short to tell: takes the document's language
             "El aparcamiento cuesta 12 euros al día."]
    with Session(engine) as session:
        account = Account(name="Hotel Mirador")
        document = Document(account_id=account.id, title="tarifas", content_type="text/plain", size_bytes=1,
                             content_hash="x", status="ready")
        session.add_all([account, document])
        session.flush()
        session.add_all([Chunk(account_id=account.id, document_id=document.id, ordinal=i, text=text,
                               content_hash=str(i), embedding=b"", embedding_model="m")
                         for i, text in enumerate(texts)])
        session.commit()
    with engine.begin() as connection:  # back to before 0013: the chunks have no language
        command.downgrade(alembic_config(connection), "0010")
    upgrade(engine)
    with Session(engine) as session:
        assert session.exec(select(Chunk.language).order_by(Chunk.ordinal)).all() == ["es", "es", "es"]


def test_migration_0014_leaves_min_confidence_to_the_drafter_where_that_keeps_how_the_bot_behaved(tmp_path):
    from alembic import command
    from sqlmodel import Session, select

    from app.accounts.models import Account
    from app.autoreply.models import AutoReplySettings
    from app.migrate import alembic_config
    from app.sessions.models import WhatsAppSession

    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine)
    with engine.begin() as connection:  # back to before 0014: a setting could only raise the extractive bar
        command.downgrade(alembic_config(connection), "0011")
    stored = {"old default": ("extractive", 0.35), "no effect on extractive": ("extractive", 0.4),
              "stricter": ("extractive", 0.7), "openai default": ("openai", 0.35), "openai, lower": ("openai", 0.2)}
    with Session(engine) as session:
        account = Account(name="Velo Verde")
        sessions = {name: WhatsAppSession(account_id=account.id, name=name) for name in stored}
        session.add_all([account, *sessions.values()])
        session.flush()
        session.add_all([AutoReplySettings(session_id=sessions[name].id, account_id=account.id, drafter=drafter,
                                           min_confidence=value) for name, (drafter, value) in stored.items()])
        session.commit()
        ids = {name: wa_session.id for name, wa_session in sessions.items()}
    upgrade(engine)
    with Session(engine) as session:
        now = {name: session.exec(select(AutoReplySettings.min_confidence).where(
            AutoReplySettings.session_id == ids[name])).one() for name in stored}
    assert now == {"old default": None, "no effect on extractive": None, "stricter": 0.7, "openai default": None,
                   "openai, lower": 0.2}
