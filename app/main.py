"""create_app(): the FastAPI application; heavy parts are built in lifespan, never at import."""

import gc
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import tasks  # noqa: F401 - registers job handlers
from app.accounts.router import router as accounts_router
from app.admission import AdmissionMiddleware
from app.apikeys.router import router as apikeys_router
from app.auth.router import router as auth_router
from app.autoreply.router import router as autoreply_router
from app.bootstrap import build_services, resume_interrupted_work
from app.bulk.router import router as bulk_router
from app.compat.bulk_send import router as compat_bulk_router
from app.compat.knowledge import router as compat_knowledge_router
from app.compat.replies import router as compat_replies_router
from app.compat.styles import router as compat_styles_router
from app.config import Settings, get_settings
from app.dashboard.router import mount_dashboard
from app.errors import install_error_handlers
from app.gateways.router import router as gateways_router
from app.groups.router import router as groups_router
from app.health import metrics_router
from app.health import router as health_router
from app.jobs.router import router as jobs_router
from app.jobs.worker import Worker
from app.kb.components import warm_up_knowledge_base
from app.kb.router import router as kb_router
from app.logs import configure_logging
from app.messages.router import router as messages_router
from app.monitoring.router import router as monitoring_router
from app.middleware import RejectNulMiddleware, RequestContextMiddleware
from app.sandbox.router import router as sandbox_router
from app.scheduled.router import router as scheduled_router
from app.sessions.router import router as sessions_router
from app.state import Services
from app.styles.router import router as styles_router
from app.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v2"
# bulk before messages: /messages/bulk must not be read as /messages/{message_id}.
API_ROUTERS = (auth_router, accounts_router, apikeys_router, sessions_router, bulk_router, messages_router,
               sandbox_router, gateways_router, kb_router, styles_router, autoreply_router, webhooks_router,
               groups_router, monitoring_router, scheduled_router, jobs_router,
               compat_knowledge_router, compat_styles_router, compat_replies_router, compat_bulk_router)

TAGS = [
    {"name": "Auth", "description": "Register, log in, refresh and log out (JWT)."},
    {"name": "Account", "description": "Your account, plan, limits and usage."},
    {"name": "API keys", "description": "Keys for scripts: scoped, shown once, stored hashed."},
    {"name": "Sessions", "description": "Connected WhatsApp numbers."},
    {"name": "Messages", "description": "Send messages and read chats (chats are opt-in per session)."},
    {"name": "Sandbox", "description": "Play the customer: inbound messages and status callbacks, no phone needed."},
    {"name": "Gateways", "description": "Callbacks from WAHA and the Meta Cloud API, authenticated by signature."},
    {"name": "Knowledge base", "description": "Documents the AI answers from: upload, inspect, search."},
    {"name": "AI style profiles", "description": "How AI replies sound: tone, length, emoji, greeting, rules; "
                                                 "written by hand or learned from your messages."},
    {"name": "Auto-reply", "description": "The bot per session, its reply log and review queue, and a preview."},
    {"name": "Webhooks", "description": "Signed event deliveries to your URLs, retried for 24 hours."},
    {"name": "Custom groups", "description": "Contact lists for scheduled and bulk messages."},
    {"name": "Scheduled messages", "description": "Messages sent later, once or on a cron schedule."},
    {"name": "Bulk messages", "description": "One message to many recipients, paced per session."},
    {"name": "Background jobs", "description": "Background work done for your account; failed work and retries."},
    {"name": "MoltFlow: knowledge", "description": "MoltFlow's knowledge routes, over the knowledge base."},
    {"name": "MoltFlow: style", "description": "MoltFlow's style training, per chat, session or account."},
    {"name": "MoltFlow: replies", "description": "MoltFlow's reply generation, over the auto-reply preview."},
    {"name": "MoltFlow: bulk send", "description": "MoltFlow's bulk send, over bulk messages."},
    {"name": "Health", "description": "Liveness and readiness."},
]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The service; pass `services` to reuse ones built elsewhere (tests), else they are built on startup."""
    settings = services.settings if services else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings)  # a no-op beyond the request id field when `replybase serve` or uvicorn did it
        app.state.services = services or build_services(settings)
        if services is None:
            warm_up_knowledge_base(app.state.services)
            resume_interrupted_work(app.state.services)
            # The model, the ORM and the routes are built and live as long as the process: out of the collector's
            # sight, a full collection during a burst of calls no longer walks millions of them (a pause that hit
            # the first burst after start).
            gc.freeze()
        worker = Worker(app.state.services) if app.state.services.settings.run_workers else None
        if worker:
            worker.start()
        try:
            yield
        finally:
            if worker:
                worker.stop()
            if services is None:
                app.state.services.engine.dispose()

    # Swagger UI and ReDoc from the package's own copies of their scripts: the docs work offline.
    app = FastAPIOffline(
        title="Replybase API",
        version="2.0.0",
        description="Self-hosted WhatsApp automation with an AI knowledge base. "
                    "Authenticate with `X-API-Key: mf_...` or `Authorization: Bearer <jwt>`.",
        openapi_tags=TAGS,
        lifespan=lifespan,
        # The largest upload plus multipart overhead; bigger bodies get 413 before they are read.
        max_body_size=(settings.max_upload_mb + 1) * 2**20,
    )
    app.add_middleware(AdmissionMiddleware, max_concurrent=settings.max_concurrent_requests)
    app.add_middleware(RejectNulMiddleware)
    # Added last, so it runs first: every response gets a request id, every request a log line and metrics.
    app.add_middleware(RequestContextMiddleware, route_templates=_route_templates(), record_metrics=settings.metrics)
    if settings.trusted_proxy_list:
        # Outermost, so everything (throttles, logs) sees the client behind the proxy, never a forged header.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    install_error_handlers(app)
    app.include_router(health_router)
    if settings.metrics:
        app.include_router(metrics_router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    mount_dashboard(app)
    return app


def _route_templates() -> dict[int, str]:
    """id(route) -> the full path template it answers at, for access logs and metric labels."""
    return {id(route): API_PREFIX + route.path for router in API_ROUTERS for route in router.routes}
