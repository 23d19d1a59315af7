"""Shared fixtures: a real database (SQLite, and PostgreSQL when REPLYBASE_TEST_DATABASE_URL is set) with a
rolled-back transaction per test, the app with its dependencies on that transaction, and no network but 127.0.0.1."""

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app.apikeys.scopes import ALL_SCOPES
from app.apikeys.service import create_key
from app.auth.service import create_account_with_owner
from app.config import Settings
from app.db import create_db_engine
from app.jobs.worker import drain
from app.kb.components import attach_knowledge_base
from app.main import create_app
from app.migrate import upgrade
from app.ratelimit import AccountRateLimiter
from app.state import Services
from tests.servers.fixtures import fake_meta, fake_waha, media_host  # noqa: F401 - gateway fakes

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("REPLYBASE_TEST_DATABASE_URL") else [])
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}


@pytest.fixture(scope="session", autouse=True)
def only_loopback_network():
    """Fail any connection to an address other than this machine (haystack's request_blocker)."""
    original_connect = socket.socket.connect

    def guarded_connect(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOCAL_HOSTS:
            raise RuntimeError(f"tests may only reach 127.0.0.1, not {address[0]}")
        return original_connect(self, address, *args, **kwargs)

    socket.socket.connect = guarded_connect
    yield
    socket.socket.connect = original_connect


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2 at its production cost takes 0.2 s a hash here, paid by every tenant and login in the suite.

    Same algorithm and code path, lowest cost: what is tested is that passwords are hashed and verified, not how
    slowly (each hash records its own parameters, so verification follows them)."""
    from argon2 import PasswordHasher

    import app.auth.passwords as passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


def reset_database(url: str) -> None:
    """Empty the database so migrations run from nothing."""
    if url.startswith("sqlite"):
        return
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = os.environ["REPLYBASE_TEST_DATABASE_URL"]
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url):
    engine = create_db_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path, database_url) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", database_url=database_url, run_workers=False,
                    allow_private_urls=True, jwt_secret="test-secret-" + "x" * 32)


@pytest.fixture
def services(engine, settings) -> Iterator[Services]:
    """Services whose sessions all join one outer transaction that is rolled back after the test."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(bind=connection, class_=Session, expire_on_commit=False,
                           join_transaction_mode="create_savepoint")
    services = Services(settings=settings, engine=engine, session_factory=factory,
                        rate_limiter=AccountRateLimiter("memory://", settings.rate_limit_window_seconds),
                        jwt_secret=settings.jwt_secret)
    attach_knowledge_base(services)  # the model itself loads once per test run, on first use
    yield services
    outer.rollback()
    connection.close()


@pytest.fixture
def db(services) -> Iterator[Session]:
    with services.session_factory() as session:
        yield session


@pytest.fixture
def app(services):
    return create_app(services=services)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass
class Tenant:
    account_id: str
    user_id: str
    email: str
    password: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.key}


@pytest.fixture
def make_tenant(services):
    """Create an account with an owner and an API key (all scopes unless given)."""
    counter = iter(range(1_000_000))

    def make(plan: str = "free", scopes: list[str] | None = None) -> Tenant:
        n = next(counter)
        with services.session_factory() as session:
            email, password = f"owner{n}@tenant{n}.example.com", "password-123"
            account, user = create_account_with_owner(session, email=email, password=password,
                                                      account_name=f"Tenant {n}", plan=plan)
            _row, key = create_key(session, account.id, "test key", scopes or list(ALL_SCOPES))
            session.commit()
        return Tenant(account.id, user.id, email, password, key)

    return make


@pytest.fixture
def tenant(make_tenant) -> Tenant:
    return make_tenant()


@pytest.fixture
def other_tenant(make_tenant) -> Tenant:
    return make_tenant()


@pytest.fixture
def run_jobs(services):
    """Run every due background job now, as the worker would."""
    return lambda: drain(services)
