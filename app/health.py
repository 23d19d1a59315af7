from fastapi import APIRouter
from sqlalchemy import text

from app.deps import ServicesDep
from app.errors import ServiceUnavailable, error_responses

router = APIRouter(tags=["Health"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=error_responses(ServiceUnavailable))
def readyz(services: ServicesDep) -> dict:
    """The database answers."""
    try:
        # Autocommit: a liveness probe must not wait for (or take) a write lock.
        with services.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        raise ServiceUnavailable("database unreachable") from None
    return {"status": "ready", "database": "ok"}
