"""create_app(): the FastAPI application; heavy parts are built in lifespan, never at import."""

from contextlib import asynccontextmanager

from fastapi import FastAPI

from app import tasks  # noqa: F401 - registers job handlers
from app.accounts.router import router as accounts_router
from app.apikeys.router import router as apikeys_router
from app.auth.router import router as auth_router
from app.bootstrap import build_services
from app.config import Settings, get_settings
from app.errors import install_error_handlers
from app.health import router as health_router
from app.jobs.worker import Worker
from app.middleware import RequestContextMiddleware
from app.sessions.router import router as sessions_router
from app.state import Services

API_PREFIX = "/api/v2"
API_ROUTERS = (auth_router, accounts_router, apikeys_router, sessions_router)

TAGS = [
    {"name": "Auth", "description": "Register, log in, refresh and log out (JWT)."},
    {"name": "Account", "description": "Your account, plan, limits and usage."},
    {"name": "API keys", "description": "Keys for scripts: scoped, shown once, stored hashed."},
    {"name": "Sessions", "description": "Connected WhatsApp numbers."},
    {"name": "Health", "description": "Liveness and readiness."},
]


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The service; pass `services` to reuse ones built elsewhere (tests), else they are built on startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.services = services or build_services(settings or get_settings())
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

    app = FastAPI(
        title="Replybase API",
        version="2.0.0",
        description="Self-hosted WhatsApp automation with an AI knowledge base. "
                    "Authenticate with `X-API-Key: mf_...` or `Authorization: Bearer <jwt>`.",
        openapi_tags=TAGS,
        lifespan=lifespan,
    )
    app.add_middleware(RequestContextMiddleware)
    install_error_handlers(app)
    app.include_router(health_router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
