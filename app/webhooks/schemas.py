from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schema_base import RequestBody
from app.webhooks.events import EVENTS, WebhookEvent

SECRET_HELP = ("Your own signing secret (8-100 characters), as MoltFlow's guides set it; a random one is made "
               "when absent")


def _dedupe(events: list[str] | None) -> list[str] | None:
    return None if events is None else list(dict.fromkeys(events))


class WebhookCreate(RequestBody):
    url: str = Field(max_length=2000, examples=["https://example.com/hooks/whatsapp"])
    events: list[WebhookEvent] = Field(min_length=1, examples=[["message.received", "message.status"]],
                                       description=f"Any of: {', '.join(EVENTS)}")
    name: str | None = Field(default=None, max_length=200, examples=["CRM sync"])
    secret: str | None = Field(default=None, min_length=8, max_length=100, description=SECRET_HELP)

    _unique_events = field_validator("events")(_dedupe)


class WebhookUpdate(RequestBody):
    """Only the fields sent change."""

    url: str | None = Field(default=None, max_length=2000)
    events: list[WebhookEvent] | None = Field(default=None, min_length=1)
    name: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None
    secret: str | None = Field(default=None, min_length=8, max_length=100)

    _unique_events = field_validator("events")(_dedupe)

    @field_validator("url", "events", "is_active", "secret")
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value


class WebhookPublic(BaseModel):
    id: str
    name: str | None
    url: str
    events: list[str]
    is_active: bool
    created_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="Signs every delivery; shown only in this response.",
                        examples=["whsec_..."])


class WebhookTestQueued(BaseModel):
    delivery_id: str
    event: str
    status: str = Field(description="pending: see GET /webhooks/{id}/deliveries for the outcome")


DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    webhook_id: str
    event: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    response_snippet: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    total: int
    limit: int
    offset: int
