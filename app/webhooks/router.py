from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, error_responses
from app.net import UnsafeUrl
from app.webhooks import service
from app.webhooks.schemas import (DeliveryPage, DeliveryStatus, WebhookCreate, WebhookCreated, WebhookPublic,
                                  WebhookTestQueued, WebhookUpdate)

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])
WebhooksRead = RequireScope("webhooks:read")
WebhooksWrite = RequireScope("webhooks:write")


@router.get("", response_model=list[WebhookPublic])
def list_webhooks(principal: WebhooksRead, session: SessionDep):
    """List all webhooks."""
    return service.list_webhooks(session, principal.account_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated,
             responses=error_responses(UnsafeUrl))
def create_webhook(body: WebhookCreate, principal: WebhooksWrite, session: SessionDep,
                   services: ServicesDep):
    """Create a webhook; the response shows its signing secret, once."""
    return service.create_webhook(session, services.settings, principal.account_id, body)


@router.get("/{webhook_id}", response_model=WebhookPublic, responses=error_responses(NotFound))
def get_webhook(webhook_id: str, principal: WebhooksRead, session: SessionDep):
    """Get webhook details."""
    return service.get_webhook(session, principal.account_id, webhook_id)


@router.patch("/{webhook_id}", response_model=WebhookPublic, responses=error_responses(NotFound, UnsafeUrl))
def update_webhook(webhook_id: str, body: WebhookUpdate, principal: WebhooksWrite, session: SessionDep,
                   services: ServicesDep):
    """Change a webhook's url, events, name, secret or is_active; only the fields sent change."""
    return service.update_webhook(session, services.settings, principal.account_id, webhook_id, body)


@router.post("/{webhook_id}/test", status_code=status.HTTP_202_ACCEPTED, response_model=WebhookTestQueued,
             responses=error_responses(NotFound))
def test_webhook(webhook_id: str, principal: WebhooksWrite, session: SessionDep):
    """Send a signed `webhook.test` delivery now; its outcome shows in the deliveries."""
    delivery = service.send_test(session, principal.account_id, webhook_id)
    return WebhookTestQueued(delivery_id=delivery.id, event=delivery.event, status=delivery.status)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_webhook(webhook_id: str, principal: WebhooksWrite, session: SessionDep) -> None:
    """Delete a webhook; its pending deliveries stop."""
    service.delete_webhook(session, principal.account_id, webhook_id)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage, responses=error_responses(NotFound))
def list_deliveries(webhook_id: str, principal: WebhooksRead, session: SessionDep,
                    status: DeliveryStatus | None = None,
                    limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Offset = 0):
    """List a webhook's deliveries, newest first, with each one's attempts and last outcome."""
    items, total = service.list_deliveries(session, principal.account_id, webhook_id, status=status, limit=limit,
                                           offset=offset)
    return DeliveryPage(items=items, total=total, limit=limit, offset=offset)
