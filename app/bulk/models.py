from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Column, Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class BulkJob(SQLModel, table=True):
    """One message to many recipients, sent at a paced rate by a chain of jobs."""

    __tablename__ = "bulk_jobs"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    session_id: str = Field(foreign_key="wa_sessions.id", index=True, max_length=32, ondelete="CASCADE")
    group_id: str | None = Field(default=None, max_length=32)
    message: str = Field(sa_column=Column(Text, nullable=False))
    fallback_name: str = Field(default="", max_length=200)
    media_url: str | None = Field(default=None, max_length=2000)
    status: str = Field(default="queued", max_length=20)  # queued, running, paused, completed, cancelled
    # Who paused it: "user" (waits for POST .../resume) or "session" (resumes by itself once the session works).
    paused_by: str | None = Field(default=None, max_length=20)
    total: int = 0
    sent: int = 0
    failed: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BulkRecipient(SQLModel, table=True):
    """One recipient of a bulk job and what happened when it was sent."""

    __tablename__ = "bulk_recipients"
    __table_args__ = (Index("ix_bulk_recipients_job_status", "bulk_job_id", "status", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    bulk_job_id: str = Field(foreign_key="bulk_jobs.id", max_length=32, ondelete="CASCADE")
    # Denormalised so pacing can ask "when did this session last send" without a join.
    session_id: str = Field(max_length=32, index=True)
    position: int
    phone: str = Field(max_length=20)
    name: str | None = Field(default=None, max_length=200)
    status: str = Field(default="pending", max_length=20)  # pending, sent, failed, cancelled
    message_id: str | None = Field(default=None, max_length=200)
    error: str | None = Field(default=None, max_length=1000)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
