"""A request's transaction commits before its response leaves: what a 2xx reports is already in the database,
for the same client's next request and for every other replica."""

import asyncio
import json

from sqlmodel import func, select

from app.apikeys.scopes import ALL_SCOPES
from app.apikeys.service import create_key
from app.auth.service import create_account_with_owner
from app.bootstrap import build_services
from app.config import Settings
from app.main import create_app
from app.sessions.models import WhatsAppSession


def test_a_change_is_committed_before_its_response_is_sent(tmp_path):
    services = build_services(Settings(_env_file=None, data_dir=tmp_path, run_workers=False,
                                       embedding_provider="hash"))
    with services.session_factory() as session:
        account, _ = create_account_with_owner(session, email="owner@example.com", password="password-1",
                                               account_name="Shop", plan="business")
        _row, key = create_key(session, account.id, "key", list(ALL_SCOPES))
        session.commit()
    app = create_app(services=services)
    app.state.services = services  # what lifespan does; the request below is sent without a lifespan
    seen = {}

    async def request() -> None:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/api/v2/sessions", "raw_path": b"/api/v2/sessions",
                 "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 9),
                 "headers": [(b"x-api-key", key.encode()), (b"content-type", b"application/json")]}
        body = json.dumps({"name": "Shop"}).encode()

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                # Another connection, as another replica would look: it sees committed rows only (and, in
                # autocommit, does not queue for SQLite's write lock behind the request).
                with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                    seen["stored"] = other.execute(select(func.count()).select_from(WhatsAppSession)).scalar()

        await app(scope, receive, send)

    asyncio.run(request())
    services.engine.dispose()
    assert seen == {"status": 201, "stored": 1}
