"""Webhook subscriptions and `emit_event`, the one way any area publishes an event. Flushes, never commits."""

import json

from sqlalchemy import update
from sqlmodel import Session

from app.common import utcnow
from app.config import Settings
from app.errors import Conflict, NotFound
from app.jobs.queue import enqueue
from app.net import check_public_url
from app.webhooks.events import EVENTS, WEBHOOK_TEST, derived_events
from app.webhooks.models import Webhook, WebhookDelivery
from app.webhooks.repository import DeliveryRepository, WebhookRepository
from app.webhooks.schemas import WebhookCreate, WebhookUpdate
from app.webhooks.signing import new_secret

DELIVER_JOB = "webhooks.deliver"


def create_webhook(session: Session, settings: Settings, account_id: str, body: WebhookCreate) -> Webhook:
    """Register a webhook; its URL must be public unless private URLs are allowed."""
    check_public_url(body.url, settings.allow_private_urls, what="webhook URL")
    webhook = Webhook(account_id=account_id, name=body.name, url=body.url, events=list(body.events),
                      secret=body.secret or new_secret())
    return WebhookRepository(session, account_id).add(webhook)


def update_webhook(session: Session, settings: Settings, account_id: str, webhook_id: str,
                   body: WebhookUpdate) -> Webhook:
    """Change only the fields sent (a new `secret` signs every delivery from now on, retries included)."""
    webhook = get_webhook(session, account_id, webhook_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("url") is not None:
        check_public_url(changes["url"], settings.allow_private_urls, what="webhook URL")
    for name, value in changes.items():
        setattr(webhook, name, value)
    webhook.updated_at = utcnow()
    session.add(webhook)
    session.flush()
    return webhook


def list_webhooks(session: Session, account_id: str) -> list[Webhook]:
    return WebhookRepository(session, account_id).list()


def get_webhook(session: Session, account_id: str, webhook_id: str) -> Webhook:
    return WebhookRepository(session, account_id).get_or_404(webhook_id)


def delete_webhook(session: Session, account_id: str, webhook_id: str) -> None:
    """Delete a webhook with its delivery log; pending retries stop."""
    repository = WebhookRepository(session, account_id)
    webhook = repository.get_or_404(webhook_id)
    DeliveryRepository(session, account_id).delete_for(webhook.id)
    repository.delete(webhook)


def list_deliveries(session: Session, account_id: str, webhook_id: str, *, status: str | None = None,
                    limit: int = 50, offset: int = 0) -> tuple[list[WebhookDelivery], int]:
    get_webhook(session, account_id, webhook_id)
    return DeliveryRepository(session, account_id).list_for(webhook_id, status=status, limit=limit, offset=offset)


def emit_event(session: Session, account_id: str, event: str, data: dict) -> None:
    """Queue `event` for each of the account's active webhooks subscribed to it, in the caller's transaction.

    A delivery row and its job are written with the caller's change, so nothing is sent unless that
    change commits, and nothing is lost once it has.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}; add it to app/webhooks/events.py")
    webhooks = WebhookRepository(session, account_id).active()  # one read per event, on every inbound message
    for name in (event, *derived_events(event, data)):
        for webhook in webhooks:
            if name in webhook.events:
                _queue_delivery(session, account_id, webhook, name, data)


def _queue_delivery(session: Session, account_id: str, webhook: Webhook, event: str, data: dict) -> WebhookDelivery:
    now = utcnow()
    body = json.dumps({"event": event, "timestamp": now.isoformat().replace("+00:00", "Z"),
                       "account_id": account_id, "data": data}, default=str, separators=(",", ":"))
    delivery = WebhookDelivery(account_id=account_id, webhook_id=webhook.id, event=event, body=body,
                               created_at=now, next_attempt_at=now)
    session.add(delivery)
    session.flush()
    enqueue(session, DELIVER_JOB, {"delivery_id": delivery.id}, run_at=now, account_id=account_id)
    return delivery


def send_test(session: Session, account_id: str, webhook_id: str) -> WebhookDelivery:
    """Queue a `webhook.test` delivery to this webhook, signed like any other, whatever it subscribes to."""
    webhook = get_webhook(session, account_id, webhook_id)
    return _queue_delivery(session, account_id, webhook, WEBHOOK_TEST,
                           {"webhook_id": webhook.id, "message": "Test delivery from Replybase"})


class DeliveryInProgress(Conflict):
    detail = "This delivery is still being attempted; send it again once it has settled"


def redeliver(session: Session, account_id: str, webhook_id: str, delivery_id: str) -> WebhookDelivery:
    """Send a settled delivery again now, with the same body and id (receivers dedupe by it).

    Past the retry window that is one more attempt, not a new 24 hours of retries."""
    delivery = DeliveryRepository(session, account_id).get_or_404(delivery_id)
    if delivery.webhook_id != get_webhook(session, account_id, webhook_id).id:
        raise NotFound(DeliveryRepository.not_found_detail)
    now = utcnow()
    # Compare-and-set: two clicks queue one attempt.
    taken = session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id,
                                                          WebhookDelivery.status != "pending")
                            .values(status="pending", next_attempt_at=now))
    if taken.rowcount != 1:
        raise DeliveryInProgress()
    enqueue(session, DELIVER_JOB, {"delivery_id": delivery.id}, run_at=now, account_id=account_id)
    session.refresh(delivery)
    return delivery
