from datetime import datetime

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.common import UTCDateTime, new_id, utcnow


class StyleProfile(SQLModel, table=True):
    """How the bot writes for one account: tone, length, emoji, greeting and sign-off, rules and examples."""

    __tablename__ = "style_profiles"
    __table_args__ = (UniqueConstraint("account_id", "name", name="uq_style_profiles_account_name"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="accounts.id", index=True, max_length=32, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # Scope for the reply cascade: a chat's profile, then its session's, then the account's general one (both null).
    session_id: str | None = Field(default=None, max_length=32)
    wa_chat_id: str | None = Field(default=None, max_length=64)
    tone: str = Field(default="friendly", max_length=20)
    formality: str = Field(default="neutral", max_length=10)
    language: str = Field(default="auto", max_length=10)
    max_reply_length: int = 600
    emoji: str = Field(default="light", max_length=5)
    greeting: str = Field(default="", max_length=200)
    sign_off: str = Field(default="", max_length=200)
    persona: str = Field(default="", sa_column=Column(Text, nullable=False))
    # {"always": [...], "never": [...]}
    rules: dict = Field(default_factory=lambda: {"always": [], "never": []}, sa_column=Column(JSON, nullable=False))
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The statistics a learned profile was derived from; null for profiles written by hand.
    learned: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
