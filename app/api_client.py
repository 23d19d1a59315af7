"""CLI commands asking the running API instead of loading the model themselves (`replybase kb search`).

The API is looked for at REPLYBASE_API_URL. The CLI logs in as the account's owner for the one call (app/auth/
operator.py), so the service checks it as any caller; a service that does not share this database and signing
secret refuses the token, and the command then works locally as before.
"""

from dataclasses import dataclass

import httpx

from app.config import Settings

# A service on this machine answers /healthz in milliseconds; nobody listening is refused at once. The bound only
# matters for an address that swallows packets, and keeps that case from costing more than loading locally would.
PROBE_SECONDS = 0.5
# The call itself: a search waits for the query's embedding, which a busy service may queue behind other work.
CALL_SECONDS = 30.0
API_PREFIX = "/api/v2"


@dataclass
class ApiAnswer:
    """What the running service answered, or why none was asked (`response` None)."""

    url: str
    response: httpx.Response | None = None
    why_not: str = ""


def _signing_secret(settings: Settings) -> str | None:
    """The secret the service signs tokens with, as this process sees it; never created here (a new one would
    match no service)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = settings.data_dir / "jwt_secret"
    return path.read_text().strip() if path.exists() else None


def ask_running_api(settings: Settings, account_id: str, method: str, path: str, **request) -> ApiAnswer:
    """`method path` (under /api/v2) on the running API as the account's owner."""
    url = settings.api_url.rstrip("/")
    try:
        if httpx.get(f"{url}/healthz", timeout=PROBE_SECONDS).status_code != 200:
            return ApiAnswer(url, why_not=f"{url}/healthz did not answer 200")
    except httpx.HTTPError:
        return ApiAnswer(url, why_not=f"no service answers at {url}")
    secret = _signing_secret(settings)
    if secret is None:
        return ApiAnswer(url, why_not="this data dir holds no jwt_secret and REPLYBASE_JWT_SECRET is unset")

    from sqlalchemy.orm import sessionmaker
    from sqlmodel import Session

    from app.auth.operator import close_operator_login, open_operator_login
    from app.db import create_db_engine, unit_of_work

    engine = create_db_engine(settings.resolved_database_url, pool_size=1, max_overflow=1)
    sessions = sessionmaker(bind=engine, class_=Session)
    try:
        with unit_of_work(sessions) as session:
            login = open_operator_login(session, secret, account_id)
        if login is None:
            return ApiAnswer(url, why_not=f"account {account_id!r} has no user in this database")
        login_id, token = login
        try:
            response = httpx.request(method, f"{url}{API_PREFIX}{path}", timeout=CALL_SECONDS,
                                     headers={"Authorization": f"Bearer {token}"}, **request)
        except httpx.HTTPError as exc:
            return ApiAnswer(url, why_not=f"{url} did not answer ({type(exc).__name__})")
        finally:
            with unit_of_work(sessions) as session:
                close_operator_login(session, login_id)
    finally:
        engine.dispose()
    if response.status_code == 401:  # another database or another signing secret: not this installation's API
        return ApiAnswer(url, why_not=f"the service at {url} does not share this database and signing secret")
    return ApiAnswer(url, response)
