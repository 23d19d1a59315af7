from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.webhooks.events import EVENTS, WebhookEvent


class WebhookCreate(BaseModel):
    url: str = Field(max_length=2000, examples=["https://example.com/hooks/whatsapp"])
    events: list[WebhookEvent] = Field(min_length=1, examples=[["message.received", "message.status"]],
                                       description=f"Any of: {', '.join(EVENTS)}")
    name: str | None = Field(default=None, max_length=200, examples=["CRM sync"])

    @field_validator("events")
    @classmethod
    def _dedupe(cls, events: list[str]) -> list[str]:
        return list(dict.fromkeys(events))


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


DeliveryStatus = Literal["pending", "delivered", "failed"]


class DeliveryPublic(BaseModel):
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
