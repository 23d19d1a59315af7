from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class WhatsAppSession(SQLModel, table=True):
    """A connected WhatsApp number, reached through one gateway."""

    __tablename__ = "wa_sessions"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    name: str = Field(max_length=200)
    gateway: str = Field(default="sandbox", max_length=20)
    status: str = Field(default="stopped", max_length=20)
    phone_number: str | None = Field(default=None, max_length=20)
    # Gateway-specific settings (e.g. WAHA base URL, Meta phone number id); secrets never leave the server.
    config: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chats_enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
