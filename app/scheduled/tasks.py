from app.jobs.registry import periodic_task
from app.scheduled.firing import fire_due
from app.state import Services


@periodic_task("scheduled.fire_due")
def fire_due_scheduled_messages(services: Services) -> int:
    """Fire scheduled messages whose time has come (every worker poll)."""
    return fire_due(services)
