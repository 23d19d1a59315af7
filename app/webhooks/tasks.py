"""Webhook delivery jobs. Retries of a failed HTTP attempt are scheduled by the outbox row itself (see
delivery.py); the job's own retries only cover unexpected errors such as a lost database connection."""

from app.jobs.registry import OUTREACH, JobContext, job_handler, periodic_task
from app.jobs.retention import PURGE_EVERY_SECONDS, purge_older_than
from app.state import Services
from app.webhooks.delivery import attempt_delivery
from app.webhooks.models import WebhookDelivery


@job_handler("webhooks.deliver", lane=OUTREACH, max_attempts=5)
def deliver_webhook(ctx: JobContext, payload: dict) -> None:
    """Attempt one webhook delivery from the outbox."""
    attempt_delivery(ctx.session, ctx.services, payload["delivery_id"])


@periodic_task("webhooks.purge_old_deliveries", lane=OUTREACH, every_seconds=PURGE_EVERY_SECONDS)
def purge_old_deliveries(services: Services) -> int:
    """Settled deliveries older than REPLYBASE_WEBHOOK_DELIVERY_RETENTION_DAYS are deleted."""
    return purge_older_than(services, WebhookDelivery, WebhookDelivery.created_at,
                            services.settings.webhook_delivery_retention_days,
                            WebhookDelivery.status.in_(("delivered", "failed")))
