"""Scheduled-message jobs: hand due rows to fire jobs, and fire them."""

from app.jobs.registry import OUTREACH, JobContext, job_handler, periodic_task
from app.scheduled.firing import FIRE_JOB, enqueue_due, fire, release
from app.state import Services


def _give_up(services: Services, payload: dict, error: str) -> None:
    release(services, payload["scheduled_id"], f"firing failed: {error}")


@periodic_task("scheduled.enqueue_due", lane=OUTREACH, every_seconds=1.0)
def enqueue_due_scheduled_messages(services: Services) -> int:
    """Hand scheduled messages whose time has come to fire jobs."""
    return enqueue_due(services)


@job_handler(FIRE_JOB, lane=OUTREACH, max_attempts=5, on_give_up=_give_up)
def fire_scheduled_message(ctx: JobContext, payload: dict) -> None:
    fire(ctx.services, payload["scheduled_id"])
