"""One place where gateway HTTP calls turn transport failures into typed, user-facing errors."""

import httpx

from app.gateways.base import GatewayError, GatewayTimeout
from app.net import public_http_client


def call(name: str, method: str, url: str, *, timeout: float, headers: dict[str, str] | None = None,
         json: dict | None = None, params: dict | None = None, public_only: str | None = None) -> httpx.Response:
    """Send one request; a timeout is 504, a refused connection 502, naming the gateway and its URL.

    `public_only` names a URL a tenant supplied (say "WAHA base_url"): it may then reach public addresses only.
    """
    try:
        with (public_http_client(timeout=timeout, allow_private=False, what=public_only) if public_only
              else httpx.Client(timeout=timeout, follow_redirects=False)) as client:
            return client.request(method, url, headers=headers, json=json, params=params)
    except httpx.TimeoutException:
        raise GatewayTimeout(f"{name} did not answer within {timeout:g} seconds ({method} {url})") from None
    except httpx.HTTPError as exc:
        raise GatewayError(f"{name} could not be reached at {url}: {exc.__class__.__name__}") from None


def json_body(name: str, response: httpx.Response, expected: type = dict):
    """The response's JSON, which must be an object (or a list, with `expected=list`)."""
    try:
        body = response.json()
    except ValueError:
        raise GatewayError(f"{name} answered HTTP {response.status_code} with a body that is not JSON") from None
    if not isinstance(body, expected):
        raise GatewayError(f"{name} answered HTTP {response.status_code} with unexpected JSON")
    return body
