"""A tiny routed HTTP server on 127.0.0.1 for gateway fakes: records requests, can be slowed down or broken."""

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body) if self.body else None


# A route returns (status, body) or (status, bytes, content type); a body that is not bytes is sent as JSON.
Response = tuple[int, object]
Route = Callable[..., Response]


class FakeServer:
    """Subclasses register routes with `self.route(method, pattern, handler)`; groups become handler args."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.delay_seconds = 0.0  # answer late (client timeouts)
        self.fail_status: int | None = None  # answer every request with this status (e.g. 503)
        self._routes: list[tuple[str, re.Pattern, Route]] = []
        self._server: ThreadingHTTPServer | None = None
        self._release = threading.Event()

    def route(self, method: str, pattern: str, handler: Route) -> None:
        self._routes.append((method, re.compile(pattern + "$"), handler))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def requests_to(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def _dispatch(self, request: Request) -> tuple[int, bytes, str]:
        self.requests.append(request)
        if self.delay_seconds:
            self._release.wait(self.delay_seconds)
        if self.fail_status:
            return self.fail_status, b"<html><body>Bad Gateway</body></html>", "text/html"
        for method, pattern, handler in self._routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                status, body, *content_type = handler(request, *match.groups())
                if isinstance(body, bytes):
                    return status, body, content_type[0] if content_type else "application/octet-stream"
                return status, json.dumps(body).encode(), "application/json"
        return 404, json.dumps({"message": f"Cannot {request.method} {request.path}"}).encode(), "application/json"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, payload, content_type = fake._dispatch(
                    Request(self.command, parts.path, query, dict(self.headers.items()), body))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = _handle  # noqa: N815 - http.server's naming

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._release.set()  # let slow answers finish now
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
