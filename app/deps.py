"""The typed dependency vocabulary every router uses."""

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.accounts.plans import how_to_change_plan, next_plan
from app.auth import service as auth_service
from app.auth.principal import Principal
from app.auth.tokens import sha256_hex
from app.auth.verified_keys import current_generation
from app.config import Settings
from app.db import READ_METHODS, READ_ONLY, open_session, unit_of_work
from app.errors import Forbidden, RateLimited, ReplybaseError
from app.state import Services


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the endpoint returns, rolled back when it raises.

    Requests that only read (GET, HEAD) get a read-only transaction, which on SQLite takes no lock at all. Async,
    so that opening it costs no trip through the thread pool (nothing is read until the endpoint's first query);
    the commit, which talks to the database, goes through the pool, and is skipped when nothing was begun.
    """
    session = open_session(request.app.state.services.session_factory,
                           read_only=request.method in READ_METHODS)
    try:
        yield session
    except ReplybaseError as exc:
        await _end(session, commit=exc.keeps_changes)
        raise
    except BaseException:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


async def _end(session: Session, *, commit: bool) -> None:
    if not session.in_transaction() and not (session.new or session.dirty or session.deleted):
        session.close()  # nothing was read or written: nothing to end
        return
    if session.info.get(READ_ONLY) and session.get_bind().dialect.name == "sqlite":
        # A read on SQLite (WAL) holds only a snapshot in this process: closing ends it and hands the connection back
        # to the pool, with no lock to wait for and no disk write, so no reason to pay a trip through the thread pool.
        # Closing keeps the loaded rows readable.
        session.close()
        return
    await run_in_threadpool(_commit_or_roll_back, session, commit)


def _commit_or_roll_back(session: Session, commit: bool) -> None:
    try:
        session.commit() if commit else session.rollback()
    finally:
        session.close()


# scope="function": the transaction commits before the response is sent, so a client (or another replica) that
# acts on a 2xx finds the change, and a commit that fails is the client's error instead of a silent loss.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Bounded so that a huge number is a 422, not an integer the database cannot hold (SQLite and PostgreSQL: 64-bit).
MAX_ROW_NUMBER = 2**53
Offset = Annotated[int, Query(ge=0, le=MAX_ROW_NUMBER, description="Items to skip")]
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_NUMBER)]


# Plain lookups are async: a sync dependency costs a trip through the thread pool on every request.
async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings_dep(services: ServicesDep) -> Settings:
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key, `mf_...`")
_bearer = HTTPBearer(auto_error=False, description="A JWT access token from /auth/login")


async def get_principal(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """Authenticate the caller and count the request against the account's hourly budget.

    A read of its own, finished before the endpoint runs: authentication never holds a transaction (or, on
    SQLite, a lock) for the length of the request. The services come from the request, not from ServicesDep:
    every sub-dependency costs every authenticated request a round of FastAPI's dependency solving.
    """
    return await _authenticated(request, request.app.state.services, api_key, bearer)


async def get_stream_principal(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
    token: Annotated[str | None, Query(max_length=4096, description="A JWT access token, for browsers' "
                                                                     "EventSource, which cannot send headers")] = None,
) -> Principal:
    """As get_principal, for Server-Sent-Event streams: a header, or the access token in `?token=`."""
    if bearer is None and token:
        bearer = HTTPAuthorizationCredentials(scheme="Bearer", credentials=token)
    return await _authenticated(request, request.app.state.services, api_key, bearer)


async def _authenticated(request: Request, services: Services, api_key: str | None,
                         bearer: HTTPAuthorizationCredentials | None) -> Principal:
    """The database and Redis are called through the thread pool; a key verified a moment ago, counted in this
    process's memory, costs no trip there (most API calls)."""
    key_hash = sha256_hex(api_key) if api_key is not None else None  # a key wins over a JWT, as in authenticate
    principal = services.verified_keys.get(key_hash) if key_hash is not None else None
    if principal is None:
        principal = await run_in_threadpool(_verify, services, api_key, key_hash, bearer)
    if services.rate_limiter.counts_in_memory:
        return _counted(request, services, principal)
    return await run_in_threadpool(_counted, request, services, principal)


def _counted(request: Request, services: Services, principal: Principal) -> Principal:
    status = services.rate_limiter.hit(principal.account_id, services.settings.rate_limit_for(principal.plan))
    request.state.rate_limit_headers = status.headers()
    if not status.allowed:
        raise RateLimited(f"Rate limit exceeded. Try again in {status.retry_after} seconds. "
                          + _more_requests(principal, status.limit, services.settings.rate_limit_window_seconds),
                          headers={"Retry-After": str(status.retry_after), **status.headers()})
    return principal


def _verify(services: Services, api_key: str | None, key_hash: str | None,
            bearer: HTTPAuthorizationCredentials | None) -> Principal:
    generation = current_generation()
    with unit_of_work(services.session_factory, read_only=True) as session:
        principal = auth_service.authenticate(session, services.jwt_secret, api_key=api_key,
                                              bearer_token=bearer.credentials if bearer else None)
    if principal.key_use_unrecorded:
        with unit_of_work(services.session_factory) as session:
            auth_service.record_key_use(session, principal.api_key_id)
    if key_hash is not None:
        services.verified_keys.put(key_hash, replace(principal, key_use_unrecorded=False), generation)
    return principal


def _more_requests(principal: Principal, limit: int, window_seconds: int) -> str:
    """Says what the plan allows and how to get more: a bigger plan, or on the biggest one its setting."""
    window = "an hour" if window_seconds == 3600 else f"every {window_seconds} seconds"
    allows = f"The {principal.plan.capitalize()} plan allows {limit} requests {window}."
    bigger = next_plan(principal.plan)
    if bigger is None:
        setting = "REPLYBASE_RATE_LIMIT_" + principal.plan.upper().replace("-", "_")
        return f"{allows} The server's operator can raise {setting}."
    return f"{allows} {how_to_change_plan(principal.account_id, bigger)}"


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


class MissingScope(Forbidden):
    pass


class Authenticator:
    """A dependency that authenticates and requires one scope: `Annotated[Principal, Depends(Authenticator(...))]`."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    async def __call__(self, principal: CurrentPrincipal) -> Principal:  # async: no thread-pool trip for a check
        if self.scope not in principal.scopes:
            raise MissingScope(f"This API key lacks the required scope: {self.scope}")
        return principal


def RequireScope(scope: str):  # noqa: N802 - reads as a type in signatures
    """`principal: RequireScope("sessions:read")` authenticates the caller and checks the scope."""
    return Annotated[Principal, Depends(Authenticator(scope))]


class StreamAuthenticator(Authenticator):
    async def __call__(self, principal: Annotated[Principal, Depends(get_stream_principal)]) -> Principal:
        return await super().__call__(principal)


def RequireStreamScope(scope: str):  # noqa: N802 - reads as a type in signatures
    """RequireScope for event streams: also takes the access token as `?token=` (see get_stream_principal)."""
    return Annotated[Principal, Depends(StreamAuthenticator(scope))]
