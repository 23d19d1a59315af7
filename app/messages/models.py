from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class Message(SQLModel, table=True):
    """One WhatsApp message, sent or received, with its delivery status."""

    __tablename__ = "messages"
    __table_args__ = (
        # A gateway that delivers the same event twice must not create a second message.
        UniqueConstraint("session_id", "gateway_message_id", name="uq_messages_session_gateway_id"),
        # One send per Idempotency-Key and account, even when two retries race.
        UniqueConstraint("account_id", "idempotency_key", name="uq_messages_account_idempotency"),
        Index("ix_messages_chat", "account_id", "chat_id", "timestamp"),
        Index("ix_messages_session_phone", "session_id", "phone", "direction", "timestamp"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", max_length=32, ondelete="CASCADE")
    session_id: str = Field(foreign_key="wa_sessions.id", max_length=32, ondelete="CASCADE")
    chat_id: str = Field(max_length=64)
    direction: str = Field(max_length=3)  # in, out
    phone: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    text: str = ""  # a poll's title, a GIF's caption; a sticker has none
    message_type: str = Field(default="text", max_length=20)  # text, media, poll, sticker, gif
    payload: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # a poll's options
    media_url: str | None = None
    media_type: str | None = Field(default=None, max_length=100)
    status: str = Field(default="queued", max_length=20)  # queued, sent, delivered, read, failed
    gateway_message_id: str | None = Field(default=None, max_length=200)
    idempotency_key: str | None = Field(default=None, max_length=200)
    origin: str = Field(default="api", max_length=40)
    error: str | None = None
    # When WhatsApp says the message was written; chats are ordered by it (gateways may deliver out of order).
    timestamp: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
