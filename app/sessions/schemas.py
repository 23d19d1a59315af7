from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

SessionStatus = Literal["working", "stopped", "failed", "qr_code"]


class SessionCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["My WhatsApp Session"])
    gateway: str = Field(default="sandbox", examples=["sandbox"])
    phone_number: str | None = Field(default=None, pattern=r"^\d{6,15}$", examples=["1234567890"])
    chats_enabled: bool = True
    config: dict = Field(default_factory=dict, description="Gateway settings, e.g. WAHA base_url or Meta ids")


class SessionPublic(BaseModel):
    id: str = Field(examples=["abc123"])
    name: str
    status: SessionStatus
    phone_number: str | None
    gateway: str
    chats_enabled: bool
    created_at: datetime
