"""Readiness of the background workers, for /readyz."""

from sqlalchemy.exc import SQLAlchemyError

from app.db import unit_of_work
from app.jobs.liveness import live_lanes
from app.jobs.registry import LANES
from app.state import Services


def workers_ready(services: Services) -> tuple[bool, str]:
    """(ready, detail): every lane is served by at least one live worker process (this one or another).

    Only a process that runs workers itself is unready without them: an API-only process still takes requests (the
    jobs wait in the queue), so taking every API out of the load balancer because the workers are down would turn a
    delay into an outage; its /readyz names the missing lanes instead."""
    try:
        with unit_of_work(services.session_factory, read_only=True) as session:
            served = live_lanes(session)
    except SQLAlchemyError:
        return False, "unknown (the database is unreachable)"
    missing = [lane for lane in LANES if lane not in served]
    if missing:
        return not services.settings.run_workers, (f"no live worker serves the {', '.join(missing)} lane{'s' * (len(missing) > 1)}; "
                       "run `replybase worker` (or the API with REPLYBASE_RUN_WORKERS=true)")
    return True, "ok"
