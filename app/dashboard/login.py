"""Logging in to the dashboard: the API's JWT login, its tokens held in HttpOnly cookies and refreshed when stale."""

import threading
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.auth import service as auth_service
from app.auth.principal import Principal
from app.auth.schemas import LoginRequest, TokenPair
from app.deps import ServicesDep, SessionDep
from app.db import unit_of_work
from app.errors import ReplybaseError, Unauthorized
from app.dashboard.web import DashboardRoute, LoginRequired, redirect, render
from app.state import Services
from app.throttling import AddressThrottle, throttle_login_account

ACCESS_COOKIE = "rb_access"
REFRESH_COOKIE = "rb_refresh"
# Several requests of one page (htmx polls) may find the access token stale at once; refresh tokens rotate and a
# replayed one ends the login, so the first request refreshes and the others reuse its result for a moment.
RECENT_REFRESH_SECONDS = 10

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


class _RecentRefreshes:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pairs: dict[str, tuple[float, TokenPair]] = {}

    def refresh(self, services: Services, refresh_token: str) -> TokenPair:
        with self.lock:
            now = time.monotonic()
            self.pairs = {token: entry for token, entry in self.pairs.items()
                          if now - entry[0] < RECENT_REFRESH_SECONDS}
            if refresh_token in self.pairs:
                return self.pairs[refresh_token][1]
            pair = _rotate(services, refresh_token)
            self.pairs[refresh_token] = (now, pair)
            return pair


def _rotate(services: Services, refresh_token: str) -> TokenPair:
    with services.session_factory() as session:
        try:
            pair = auth_service.refresh(session, refresh_token=refresh_token, secret=services.jwt_secret,
                                        access_ttl=services.settings.access_token_ttl_seconds)
            session.commit()
            return pair
        except ReplybaseError as exc:
            session.commit() if exc.keeps_changes else session.rollback()  # a replay must stay ended
            raise


_recent = _RecentRefreshes()


def _keep_tokens(request: Request, services: Services, pair: TokenPair) -> None:
    """The route class sets these cookies on whatever response the page returns."""
    request.state.dashboard_cookies = [
        (ACCESS_COOKIE, pair.access_token, services.settings.refresh_token_ttl_seconds),
        (REFRESH_COOKIE, pair.refresh_token, services.settings.refresh_token_ttl_seconds),
    ]


def _authenticate(services: Services, access_token: str) -> Principal:
    with unit_of_work(services.session_factory, read_only=True) as session:
        return auth_service.authenticate(session, services.jwt_secret, api_key=None, bearer_token=access_token)


def dashboard_principal(request: Request, services: ServicesDep) -> Principal:
    """The logged-in user behind the cookies, refreshing a stale access token; LoginRequired when there is none."""
    access, refresh = request.cookies.get(ACCESS_COOKIE), request.cookies.get(REFRESH_COOKIE)
    if access:
        try:
            return _authenticate(services, access)
        except Unauthorized:
            pass
    if not refresh:
        raise LoginRequired()
    try:
        pair = _recent.refresh(services, refresh)
        principal = _authenticate(services, pair.access_token)
    except Unauthorized:
        raise LoginRequired() from None
    _keep_tokens(request, services, pair)
    return principal


User = Annotated[Principal, Depends(dashboard_principal)]


def _safe_next(target: str) -> str:
    # Only a path on this site: never an open redirect to another one.
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.get("/login")
def login_page(request: Request, next: str = "/"):  # noqa: A002 - the query parameter's name
    return render(request, "login.html", next=_safe_next(next), error=None, email="")


def _login_form(email: Annotated[str, Form()], password: Annotated[str, Form()]) -> LoginRequest:
    return LoginRequest(email=email, password=password)


def _throttle_account(services: ServicesDep, body: Annotated[LoginRequest, Depends(_login_form)]) -> None:
    throttle_login_account(body, services)


@router.post("/login", dependencies=[Depends(AddressThrottle("login", "login attempts")), Depends(_throttle_account)])
def login(request: Request, session: SessionDep, services: ServicesDep,
          body: Annotated[LoginRequest, Depends(_login_form)], next: Annotated[str, Form()] = "/"):  # noqa: A002
    """The API's login; the tokens go into cookies instead of the page."""
    settings = services.settings
    try:
        pair = auth_service.login(session, email=body.email, password=body.password, secret=services.jwt_secret,
                                  access_ttl=settings.access_token_ttl_seconds,
                                  refresh_ttl=settings.refresh_token_ttl_seconds)
    except Unauthorized as exc:
        return render(request, "login.html", 401, next=_safe_next(next), error=exc.detail, email=body.email)
    _keep_tokens(request, services, pair)
    return redirect(_safe_next(next), request)


@router.post("/logout")
def logout(request: Request, services: ServicesDep) -> Response:
    """Ends the login on the server too, then forgets the cookies."""
    try:
        principal = dashboard_principal(request, services)
        with unit_of_work(services.session_factory) as session:
            auth_service.logout(session, principal, request.cookies.get(REFRESH_COOKIE))
    except LoginRequired:
        pass
    request.state.dashboard_cookies = [(ACCESS_COOKIE, "", 0), (REFRESH_COOKIE, "", 0)]
    return redirect("/login", request)

