"""Webhook delivery jobs. Retries of a failed HTTP attempt are scheduled by the outbox row itself (see
delivery.py); the job's own retries only cover unexpected errors such as a lost database connection."""

from app.jobs.registry import JobContext, job_handler
from app.webhooks.delivery import attempt_delivery


@job_handler("webhooks.deliver", max_attempts=5)
def deliver_webhook(ctx: JobContext, payload: dict) -> None:
    """Attempt one webhook delivery from the outbox."""
    attempt_delivery(ctx.session, ctx.services, payload["delivery_id"])
