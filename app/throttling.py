"""Throttles for the endpoints anyone can call: login, sign-up, token refresh and the gateway callbacks.

Each attempt counts against the caller's address and, for login, against the account it targets (so an attacker
who rotates addresses is still slowed on one account). Counts live in a moving window in the rate limiter's storage:
memory, or Redis when REPLYBASE_REDIS_URL is set, so replicas share them. The address is the socket peer; an
X-Forwarded-For header is believed only from REPLYBASE_TRUSTED_PROXIES (app/main.py installs uvicorn's
ProxyHeadersMiddleware for them).
"""

import hashlib

from fastapi import Request
from limits import parse

from app.auth.schemas import LoginRequest
from app.deps import ServicesDep
from app.errors import RateLimited
from app.state import Services


class TooManyAttempts(RateLimited):
    detail = "Too many attempts; try again later."


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _count(services: Services, limit: str, attempts: str, *identifiers: str) -> None:
    status = services.rate_limiter.throttle(parse(limit), *identifiers)
    if not status.allowed:
        raise TooManyAttempts(f"Too many {attempts}; try again in {status.retry_after} seconds.",
                              headers={"Retry-After": str(status.retry_after)})


class AddressThrottle:
    """A route dependency: one attempt at `endpoint` from the caller's address, limited by
    `REPLYBASE_<ENDPOINT>_LIMIT_PER_ADDRESS`; 429 with Retry-After when spent."""

    def __init__(self, endpoint: str, attempts: str) -> None:
        self.endpoint = endpoint
        self.attempts = attempts

    def __call__(self, request: Request, services: ServicesDep) -> None:
        limit = getattr(services.settings, f"{self.endpoint}_limit_per_address")
        _count(services, limit, f"{self.attempts} from your address", self.endpoint, "address",
               client_address(request))


def throttle_login_account(body: LoginRequest, services: ServicesDep) -> None:
    """One login attempt on the account named by the email, whatever address it comes from."""
    # Hashed: the key stays short and no email address is written to Redis.
    account_key = hashlib.sha256(body.email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()[:32]
    _count(services, services.settings.login_limit_per_account, "login attempts on this account",
           "login", "account", account_key)
