"""Admission control: at most N requests are worked on at once; the rest wait here, holding nothing.

Without it, a burst of requests each takes a database connection and then queues for one of the thread pool's
workers, so the pool runs dry and requests fail after the pool timeout. Waiting at the door instead keeps every
admitted request fast and turns a burst into a short queue. Requests also go before this process's background jobs
(app/jobs/priority.py).
"""

import asyncio
from contextlib import nullcontext

from starlette.types import ASGIApp, Receive, Scope, Send

# Probes and metrics must answer while the service is busy: that is when they are needed.
UNMETERED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class AdmissionMiddleware:
    def __init__(self, app: ASGIApp, max_concurrent: int) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNMETERED_PATHS:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # created on the server's event loop, not at import
            self._slots = asyncio.Semaphore(self.max_concurrent)
        # Counted from arrival: job slots in this process give way while calls are waiting or running.
        with _request_priority(scope):
            async with self._slots:
                await self.app(scope, receive, send)


def _request_priority(scope: Scope):
    services = getattr(scope["app"].state, "services", None)
    return services.request_priority.running() if services is not None else nullcontext()
