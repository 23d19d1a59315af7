"""Adds X-Request-ID and the caller's rate-limit headers to every response."""

import secrets

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        state["request_id"] = incoming[:64] if incoming.isprintable() and incoming else secrets.token_hex(8)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {"X-Request-ID": state["request_id"], **state.get("rate_limit_headers", {})}
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.lower().encode() not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
