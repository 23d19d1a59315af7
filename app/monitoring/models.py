from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.common import UTCDateTime, new_id, utcnow


class MonitoredGroup(SQLModel, table=True):
    """A WhatsApp group one session is in, watched for messages (all, keywords, mentions or first messages)."""

    __tablename__ = "monitored_groups"
    __table_args__ = (UniqueConstraint("session_id", "wa_group_id", name="uq_monitored_groups_session_group"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    session_id: str = Field(foreign_key="wa_sessions.id", max_length=32, ondelete="CASCADE")
    wa_group_id: str = Field(max_length=64)  # "<id>@g.us"
    name: str = Field(max_length=200)
    monitor_mode: str = Field(default="first_message", max_length=20)  # all, keywords, mentions, first_message
    monitor_keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_active: bool = True
    # Messages this group's mode captured (each also went out as a `group.message` webhook event).
    message_count: int = 0
    last_message_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_message_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
