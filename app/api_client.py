"""CLI commands asking the running API instead of loading the model themselves (`replybase kb search`).

The API is looked for at REPLYBASE_API_URL. The CLI logs in as the account's owner for the one call
(app/auth/operator.py), so the service checks it as any caller; a service that does not share this database and
signing secret refuses the token, and the command then works locally as before.

Only the standard library speaks HTTP here, and the database is reached through SQLAlchemy Core alone: such a call
is a new process each time, and its imports are most of what it costs.
"""

import http.client
import json
import urllib.request
from dataclasses import dataclass
from urllib.error import HTTPError

from app.config import Settings

# A service on this machine answers /healthz in milliseconds; nobody listening is refused at once. The bound only
# matters for an address that swallows packets, and keeps that case from costing more than loading locally would.
PROBE_SECONDS = 0.5
# The call itself: a search waits for the query's embedding, which a busy service may queue behind other work.
CALL_SECONDS = 30.0
API_PREFIX = "/api/v2"


@dataclass
class ApiResponse:
    status_code: int
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self):
        return json.loads(self.body)


@dataclass
class ApiAnswer:
    """What the running service answered, or why none was asked (`response` None)."""

    url: str
    response: ApiResponse | None = None
    why_not: str = ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is the answer, as it came: a POST must not be replayed as a GET elsewhere


_opener = urllib.request.build_opener(_NoRedirects)
# What a request that got no answer raises: refused, timed out, reset, or not HTTP at all.
NO_ANSWER = (OSError, http.client.HTTPException)


def _send(request: urllib.request.Request, timeout: float) -> ApiResponse:
    """The response, whatever its status; raises one of NO_ANSWER when none came."""
    try:
        with _opener.open(request, timeout=timeout) as response:
            return ApiResponse(response.status, response.read())
    except HTTPError as error:  # a 4xx or 5xx is an answer too
        with error:
            return ApiResponse(error.code, error.read())


def _signing_secret(settings: Settings) -> str | None:
    """The secret the service signs tokens with, as this process sees it; never created here (a new one would
    match no service)."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path = settings.data_dir / "jwt_secret"
    return path.read_text().strip() if path.exists() else None


def ask_running_api(settings: Settings, account_id: str, method: str, path: str, body: dict) -> ApiAnswer:
    """`method path` (under /api/v2) with a JSON body on the running API as the account's owner."""
    url = settings.api_url.rstrip("/")
    try:
        if _send(urllib.request.Request(f"{url}/healthz"), PROBE_SECONDS).status_code != 200:
            return ApiAnswer(url, why_not=f"{url}/healthz did not answer 200")
    except (*NO_ANSWER, ValueError):  # ValueError: REPLYBASE_API_URL is not a URL
        return ApiAnswer(url, why_not=f"no service answers at {url}")
    secret = _signing_secret(settings)
    if secret is None:
        return ApiAnswer(url, why_not="this data dir holds no jwt_secret and REPLYBASE_JWT_SECRET is unset")

    from app.engine import create_db_engine
    from app.auth.operator import close_operator_login, open_operator_login

    engine = create_db_engine(settings.resolved_database_url, pool_size=1, max_overflow=1)
    try:
        login = open_operator_login(engine, secret, account_id)
        if login is None:
            return ApiAnswer(url, why_not=f"account {account_id!r} has no user in this database")
        login_id, token = login
        request = urllib.request.Request(
            f"{url}{API_PREFIX}{path}", method=method, data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            response = _send(request, CALL_SECONDS)
        except NO_ANSWER as exc:
            return ApiAnswer(url, why_not=f"{url} did not answer ({getattr(exc, 'reason', exc)})")
        finally:
            close_operator_login(engine, login_id)
    finally:
        engine.dispose()
    if response.status_code == 401:  # another database or another signing secret: not this installation's API
        return ApiAnswer(url, why_not=f"the service at {url} does not share this database and signing secret")
    return ApiAnswer(url, response)
