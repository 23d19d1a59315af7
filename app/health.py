"""Liveness, readiness and Prometheus metrics: the endpoints operators and orchestrators call, without an API key."""

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from app.deps import ServicesDep
from app.errors import ServiceUnavailable, error_responses
from app.jobs.health import workers_ready
from app.metrics import scrape_registry
from app.state import Services

router = APIRouter(tags=["Health"])
metrics_router = APIRouter(tags=["Health"])  # included unless REPLYBASE_METRICS=false


@router.get("/healthz")
async def healthz() -> dict:  # async: answering it needs no thread from the pool
    """The process is up."""
    return {"status": "ok"}


def _check_database(services: Services) -> tuple[bool, str]:
    try:
        # Autocommit: a liveness probe must not wait for (or take) a write lock.
        with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return False, "unreachable"
    return True, "ok"


def _check_redis(services: Services) -> tuple[bool, str]:
    if not services.settings.redis_url:
        return True, "not configured"
    return (True, "ok") if services.rate_limiter.check_storage() else (False, "unreachable")


@router.get("/readyz", responses=error_responses(ServiceUnavailable))
def readyz(services: ServicesDep) -> dict:
    """The database answers, Redis answers (when REPLYBASE_REDIS_URL is set) and the workers are alive.

    200 lists each check's result; 503 names what is down."""
    checks = {"database": _check_database(services), "redis": _check_redis(services),
              "workers": workers_ready(services)}
    down = [f"{name} {result}" for name, (ok, result) in checks.items() if not ok]
    if down:
        raise ServiceUnavailable("Not ready: " + "; ".join(down))
    return {"status": "ready", **{name: result for name, (_ok, result) in checks.items()}}


@metrics_router.get("/metrics", response_class=Response,
                    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}})
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics of this process and the job queue; no API key, so keep it off the public internet."""
    return Response(generate_latest(scrape_registry(services.session_factory)), media_type=CONTENT_TYPE_LATEST)
