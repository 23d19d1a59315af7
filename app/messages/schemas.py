from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator

MAX_MESSAGE_LENGTH = 4096
PHONE_HELP = "digits only: country code and number, no +, spaces or punctuation (e.g. 15551234567)"


def check_phone(value: str) -> str:
    if not value.isascii() or not value.isdigit() or not 7 <= len(value) <= 15:
        raise ValueError(f"phone must be {PHONE_HELP}")
    return value


class SendMessage(BaseModel):
    session_id: str = Field(min_length=1, max_length=32, examples=["abc123"])
    phone: str = Field(examples=["15551234567"], description=f"Recipient, {PHONE_HELP}")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH, examples=["Hello from the API!"])
    media_url: str | None = Field(default=None, max_length=2048, examples=["https://example.com/image.jpg"])

    @field_validator("phone")
    @classmethod
    def _digits_only(cls, value: str) -> str:
        return check_phone(value)


class MessageKey(BaseModel):
    id: str = Field(examples=["wamid.xyz789ABC"])
    remoteJid: str = Field(examples=["15551234567@s.whatsapp.net"])  # noqa: N815 - the contract's name


class SendResultBody(BaseModel):
    key: MessageKey


class SendResponse(BaseModel):
    success: bool = True
    result: SendResultBody


class ChatPublic(BaseModel):
    chat_id: str = Field(examples=["15551234567@c.us"])
    session_id: str
    phone: str = Field(description="The customer's phone; for a group chat, the group's id")
    name: str | None
    is_group: bool = False
    last_message: str
    last_message_direction: Literal["in", "out"]
    last_message_at: datetime
    message_count: int


class ChatPage(BaseModel):
    items: list[ChatPublic]
    total: int
    limit: int
    offset: int


class MessagePublic(BaseModel):
    id: str
    session_id: str
    chat_id: str
    direction: Literal["in", "out"]
    phone: str
    name: str | None
    text: str
    media_url: str | None
    media_type: str | None
    status: Literal["queued", "sent", "delivered", "read", "failed", "unknown"]
    message_id: str | None = Field(description="The WhatsApp message id (wamid...)")
    error: str | None
    timestamp: datetime
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, message) -> "MessagePublic":
        return cls(message_id=message.gateway_message_id,
                   **message.model_dump(exclude={"gateway_message_id", "account_id", "idempotency_key", "origin"}))


class MessagePage(BaseModel):
    chat_id: str
    items: list[MessagePublic]
    total: int
    limit: int
    offset: int
