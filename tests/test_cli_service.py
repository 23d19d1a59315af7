"""`replybase kb search` asks the running service (whose model is loaded already) when one answers at
REPLYBASE_API_URL, and says so; otherwise it searches in its own process, and says why."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.processes import (REPLYBASE, Deployment, drop_postgres_database, free_port, fresh_postgres_database,
                             setup_shop)

DATABASE_URL = os.environ.get("REPLYBASE_TEST_DATABASE_URL", "")
DATABASES = ["sqlite"] + (["postgresql"] if DATABASE_URL else [])
QUESTION = "How much does a puncture repair cost?"
# What a search the service answers has no use for, and once paid most of its time in imports: the ORM and table
# models, the web framework, an HTTP client library, the model's runtime.
HEAVY_MODULES = {"sqlalchemy.orm", "sqlmodel", "app.models", "fastapi", "httpx", "numpy", "onnxruntime", "torch"}


@pytest.fixture(scope="module", params=DATABASES)
def running(request, tmp_path_factory):
    """A service with a worker on SQLite or PostgreSQL, and an account whose FAQ is ingested."""
    url = ""
    if request.param == "postgresql":
        url = fresh_postgres_database(DATABASE_URL, f"{make_url(DATABASE_URL).database}_cli")
    # The hash embedder: what is tested is who answers, not retrieval quality.
    deployment = Deployment(tmp_path_factory.mktemp("cli"), database_url=url,
                            env={"REPLYBASE_EMBEDDING_PROVIDER": "hash"})
    try:
        api = deployment.start_api("api", run_workers=True)
        shop = setup_shop(api, deployment.create_account(plan="business"))
        yield deployment, api, shop.account
    finally:
        deployment.stop_all()
        if url:
            drop_postgres_database(url)


def kb_search(deployment: Deployment, account_id: str, *options: str, command: tuple[str, ...] = tuple(REPLYBASE),
              **env: str) -> subprocess.CompletedProcess:
    data_dir = deployment.root / "cli"
    data_dir.mkdir(exist_ok=True)
    return subprocess.run([*command, "kb", "search", QUESTION, "--account", account_id, "--top-k", "3", *options],
                          env=deployment.environment(data_dir, env), cwd=data_dir, capture_output=True, text=True,
                          timeout=120)


def login_rows(deployment: Deployment) -> int:
    engine = create_engine(deployment.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM login_sessions")).scalar_one()
    finally:
        engine.dispose()


def test_search_is_answered_by_the_running_service_and_says_so(running):
    deployment, api, account = running
    done = kb_search(deployment, account.account_id, REPLYBASE_API_URL=api.base_url)
    assert done.returncode == 0, done.stderr
    assert f"answered by the running service at {api.base_url}" in done.stderr
    assert done.stdout.startswith("1. [") and "velo_verde_faq.txt" in done.stdout
    assert "POST /api/v2/ai/knowledge-base/search 200" in api.log()  # the service's access line for it
    assert login_rows(deployment) == 0  # the CLI's one-call login is gone with the call
    here = kb_search(deployment, account.account_id, "--local", REPLYBASE_API_URL=api.base_url)
    assert here.returncode == 0, here.stderr
    assert here.stdout == done.stdout  # the same hits, printed the same way


def test_a_search_the_service_answers_loads_neither_the_orm_nor_the_model(running):
    deployment, api, account = running
    # The CLI as REPLYBASE runs it, printing on its way out which of HEAVY_MODULES it imported.
    report = (f"import atexit, sys; atexit.register(lambda: print('heavy:', sorted(set(sys.modules) & "
              f"{HEAVY_MODULES!r}), file=sys.stderr)); from app.cli import main; main()")
    done = kb_search(deployment, account.account_id, command=(sys.executable, "-c", report),
                     REPLYBASE_API_URL=api.base_url)
    assert done.returncode == 0, done.stderr
    assert "answered by the running service" in done.stderr
    assert "heavy: []" in done.stderr


def test_without_a_service_the_search_runs_here_and_says_why(running):
    deployment, _api, account = running
    nobody = f"http://127.0.0.1:{free_port()}"
    done = kb_search(deployment, account.account_id, REPLYBASE_API_URL=nobody)
    assert done.returncode == 0, done.stderr
    assert f"searching here, loading the model: no service answers at {nobody}" in done.stderr
    assert done.stdout.startswith("1. [") and "velo_verde_faq.txt" in done.stdout


def test_a_service_with_another_signing_secret_is_not_asked_to_trust_the_cli(running):
    deployment, api, account = running
    done = kb_search(deployment, account.account_id, REPLYBASE_API_URL=api.base_url,
                     REPLYBASE_JWT_SECRET="another-installation-" + "y" * 32)
    assert done.returncode == 0, done.stderr
    assert f"the service at {api.base_url} does not share this database and signing secret" in done.stderr
    assert "velo_verde_faq.txt" in done.stdout
    assert login_rows(deployment) == 0
