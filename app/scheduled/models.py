from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class ScheduledMessage(SQLModel, table=True):
    """A message to a phone or a custom group at a time, optionally repeating on a cron schedule."""

    __tablename__ = "scheduled_messages"
    __table_args__ = (Index("ix_scheduled_messages_due", "status", "next_run_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    session_id: str = Field(foreign_key="wa_sessions.id", max_length=32, ondelete="CASCADE")
    name: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=20)
    group_id: str | None = Field(default=None, foreign_key="contact_groups.id", max_length=32,
                                 ondelete="SET NULL")
    message: str = Field(sa_column=Column(Text, nullable=False))
    media_url: str | None = Field(default=None, max_length=2000)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    cron: str | None = Field(default=None, max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    status: str = Field(default="pending", max_length=20)  # pending, sent, failed, cancelled
    next_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while a worker fires this row; a worker that dies leaves it to expire, and another takes over.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    run_count: int = 0
    last_run_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_sent: int = 0
    last_failed: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
