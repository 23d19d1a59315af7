"""Imports every domain's tasks module so their job handlers and periodic tasks are registered."""

from app.autoreply import tasks as autoreply_tasks  # noqa: F401
from app.bulk import tasks as bulk_tasks  # noqa: F401
from app.jobs import retention as jobs_retention  # noqa: F401
from app.kb import tasks as kb_tasks  # noqa: F401
from app.messages import tasks as messages_tasks  # noqa: F401
from app.scheduled import tasks as scheduled_tasks  # noqa: F401
from app.webhooks import tasks as webhooks_tasks  # noqa: F401
