"""Readiness of the background workers, for /readyz."""

from sqlalchemy.exc import SQLAlchemyError

from app.db import unit_of_work
from app.jobs.liveness import live_lanes
from app.jobs.registry import LANES
from app.state import Services


def workers_ready(services: Services) -> tuple[bool, str]:
    """(ready, detail): every lane is served by at least one live worker process (this one or another)."""
    try:
        with unit_of_work(services.session_factory, read_only=True) as session:
            served = live_lanes(session)
    except SQLAlchemyError:
        return False, "unknown (the database is unreachable)"
    missing = [lane for lane in LANES if lane not in served]
    if missing:
        return False, (f"no live worker serves the {', '.join(missing)} lane{'s' * (len(missing) > 1)}; "
                       "run `replybase worker` (or the API with REPLYBASE_RUN_WORKERS=true)")
    return True, "ok"
