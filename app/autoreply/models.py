from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class AutoReplySettings(SQLModel, table=True):
    """How the bot behaves on one session."""

    __tablename__ = "autoreply_settings"

    session_id: str = Field(foreign_key="wa_sessions.id", primary_key=True, max_length=32, ondelete="CASCADE")
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    enabled: bool = False
    style_profile_id: str | None = Field(default=None, max_length=32)
    drafter: str = Field(default="extractive", max_length=20)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mode: str = Field(default="auto", max_length=10)  # auto (send) or review (draft for a human)
    min_confidence: float | None = None  # None: the drafter's own rule (see AutoReplyConfig)
    fallback_message: str = ""
    handoff_keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    human_pause_minutes: int = 30
    ignore_groups: bool = True
    mention_only: bool = False
    allow_list: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    block_list: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # {"timezone": "Europe/London", "days": {"mon": [["09:00", "18:00"]], ...}}; empty means always open.
    business_hours: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    off_hours_message: str = ""
    debounce_seconds: float = 3.0
    max_replies_per_chat_per_hour: int = 10
    memory_turns: int = 6
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChatState(SQLModel, table=True):
    """Per-chat bot state that must survive restarts and hold across workers: pauses, handoffs, debounce."""

    __tablename__ = "autoreply_chat_state"

    session_id: str = Field(foreign_key="wa_sessions.id", primary_key=True, max_length=32, ondelete="CASCADE")
    chat_id: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handoff_open: bool = False
    handoff_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A manual resume also lets the bot into a chat the business started.
    resumed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The end of the current debounce window: a burst of messages becomes one question at this time.
    answer_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Reply(SQLModel, table=True):
    """The reply log: one row per inbound message the bot considered, claimed before any work is done."""

    __tablename__ = "ai_replies"
    __table_args__ = (UniqueConstraint("session_id", "inbound_message_id", name="uq_ai_replies_inbound"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    session_id: str = Field(foreign_key="wa_sessions.id", max_length=32, ondelete="CASCADE")
    chat_id: str = Field(max_length=64, index=True)
    phone: str = Field(max_length=20)
    inbound_message_id: str = Field(max_length=32)
    inbound_text: str = ""
    reply_text: str | None = None
    # pending, working, sending, sent, draft, handoff, skipped, failed, rejected, merged, unknown
    status: str = Field(default="pending", max_length=20)
    reason: str | None = None
    sources: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    confidence: float | None = None
    drafter: str | None = Field(default=None, max_length=40)
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    latency_ms: float | None = None
    sent_message_id: str | None = Field(default=None, max_length=200)
    # The outbound message (messages.id), stored with the decision before the gateway is called.
    outbound_message_id: str | None = Field(default=None, max_length=32, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
