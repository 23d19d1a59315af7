from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from app.messages.schemas import MAX_MESSAGE_LENGTH, MessagePublic
from app.phones import Phone
from app.schema_base import RequestBody


class SandboxInbound(RequestBody):
    session_id: str = Field(min_length=1, max_length=32)
    phone: Phone = Field(description="The customer")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, examples=["Hi, are you open today?"])
    message_id: str | None = Field(default=None, max_length=200,
                                   description="Reuse an id to replay a duplicate delivery; generated when absent")
    name: str | None = Field(default=None, max_length=200, examples=["Ana"])
    timestamp: datetime | None = Field(default=None, description="When the customer wrote it; an earlier time "
                                                                 "than the last message replays out-of-order delivery")
    deliveries: int = Field(default=1, ge=1, le=5, description="Deliver the same event this many times")
    group_id: str | None = Field(default=None, pattern=r"^\d{6,40}(-\d+)?@g\.us$", examples=["120363021234567890@g.us"],
                                 description="Deliver it as written in this group by `phone`")

    @field_validator("timestamp")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamp needs a time zone, e.g. 2026-02-10T08:00:00Z")
        return value


class SandboxInboundResult(BaseModel):
    message_id: str = Field(description="The WhatsApp message id of the delivered event")
    deliveries: int
    stored: bool = Field(description="False when every delivery was a duplicate of one already stored")
    message: MessagePublic | None


class SandboxStatus(RequestBody):
    session_id: str = Field(min_length=1, max_length=32)
    message_id: str = Field(min_length=1, max_length=200, description="The wamid returned by /messages/send")
    status: Literal["sent", "delivered", "read", "failed"]
    error: str | None = Field(default=None, max_length=500)


class SandboxStatusResult(BaseModel):
    applied: bool = Field(description="False when the status would move the message backwards, or repeats it")
    status: str = Field(description="The message's status after this callback")
