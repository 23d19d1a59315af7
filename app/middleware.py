"""ASGI middleware: request ids, rate-limit headers, an access log line and HTTP metrics for every request;
requests carrying NUL characters refused."""

import json
import logging
import re
import time
from random import getrandbits
from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import ACCESS_LOGGER, log_context
from app.metrics import UNMATCHED_ROUTE, observe_request

access_logger = logging.getLogger(ACCESS_LOGGER)
# Probes hit these every few seconds; their access lines are DEBUG so they do not drown the rest.
PROBE_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})

# "\u0000" in JSON text, not preceded by an escaping backslash ("\\u0000" is a backslash and the text "u0000").
_JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


class _HttpMiddleware:
    """Passes lifespan and websocket traffic through; `handle` sees HTTP requests only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.handle(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class RequestContextMiddleware(_HttpMiddleware):
    """Binds the request id (X-Request-ID, or a new one) to the response and every log line; when the request is
    answered, logs one access line and records the HTTP metrics, both by route template (a raw path holds ids and
    phone numbers).

    `route_templates` maps id(route) to its full template: FastAPI puts the route as its router declared it in
    scope["route"], without the prefix it was included at.
    """

    def __init__(self, app: ASGIApp, route_templates: Mapping[int, str] | None = None,
                 record_metrics: bool = True) -> None:
        super().__init__(app)
        self.route_templates = route_templates or {}
        self.record_metrics = record_metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        # A request id only tells log lines apart; it guards nothing, so it needs no system entropy (os.urandom was a
        # measurable share of a request's time).
        state["request_id"] = incoming[:64] if incoming.isprintable() and incoming else f"{getrandbits(64):016x}"
        status = 500  # what the server answers when the app raises before starting a response
        started = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {"X-Request-ID": state["request_id"], **state.get("rate_limit_headers", {})}
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in names]
                message["headers"] = headers
            await send(message)

        with log_context(state["request_id"]):
            try:
                await self.app(scope, receive, send_with_headers)
            finally:
                self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = self.route_templates.get(id(route)) or getattr(route, "path", None) or UNMATCHED_ROUTE
        level = logging.DEBUG if template in PROBE_ROUTES else logging.INFO
        access_logger.log(level, "%s %s %s %.1f ms", scope["method"], template, status, seconds * 1000)
        if self.record_metrics:
            observe_request(scope["method"], template, status, seconds)


class RejectNulMiddleware(_HttpMiddleware):
    """422 for a NUL character in the path, the query or a JSON body.

    PostgreSQL text cannot hold NUL, so such input would fail deep inside a write (a 500) on PostgreSQL and be
    stored on SQLite; refusing it at the door treats it the same everywhere. Uploaded files are not affected.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
            await _refuse("the URL")(scope, receive, send)
            return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"").lower()
        if b"json" not in content_type:
            await self.app(scope, receive, send)
            return
        messages = []
        while True:  # a JSON body is small (the upload limit caps it); read it whole, then hand it on unchanged
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        if _json_has_nul(b"".join(m.get("body", b"") for m in messages)):
            await _refuse("the request body")(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


def _json_has_nul(body: bytes) -> bool:
    try:  # JSON may come as UTF-8, UTF-16 or UTF-32, and the app reads all three
        text = body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError):
        return False  # not JSON the app can read either; it answers that itself
    return "\x00" in text or _JSON_NUL.search(text) is not None


def _refuse(where: str) -> JSONResponse:
    return JSONResponse({"detail": f"Text must not contain NUL characters (\\u0000); remove them from {where}"},
                        status_code=422)
