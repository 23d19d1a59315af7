from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import func, select

from app.repository import AccountScopedRepository
from app.webhooks.models import Webhook, WebhookDelivery


class WebhookRepository(AccountScopedRepository[Webhook]):
    model = Webhook
    not_found_detail = "Webhook not found"

    def list(self) -> list[Webhook]:
        return list(self.session.exec(self.select().order_by(Webhook.created_at, Webhook.id)))

    def active(self) -> list[Webhook]:
        # Subscribed events are a JSON list: callers filter them rather than with dialect-specific JSON operators.
        return list(self.session.exec(self.select().where(Webhook.is_active == True)))  # noqa: E712


class DeliveryRepository(AccountScopedRepository[WebhookDelivery]):
    model = WebhookDelivery
    not_found_detail = "Delivery not found"

    def list_for(self, webhook_id: str, *, status: str | None, limit: int,
                 offset: int) -> tuple[list[WebhookDelivery], int]:
        statement = self.select().where(WebhookDelivery.webhook_id == webhook_id)
        if status:
            statement = statement.where(WebhookDelivery.status == status)
        total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
        statement = statement.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        return list(self.session.exec(statement.offset(offset).limit(limit))), total

    def delete_for(self, webhook_id: str) -> None:
        self.session.execute(delete(WebhookDelivery).where(WebhookDelivery.account_id == self.account_id,
                                                           WebhookDelivery.webhook_id == webhook_id))


def get_delivery_unscoped(session, delivery_id: str) -> WebhookDelivery | None:
    """The delivery job's lookup: it runs for whichever account emitted the event."""
    return session.exec(select(WebhookDelivery).where(WebhookDelivery.id == delivery_id)).first()
