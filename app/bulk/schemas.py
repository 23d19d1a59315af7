from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.groups.schemas import MAX_MEMBERS_PER_REQUEST, Contact
from app.phones import Phone
from app.schema_base import RequestBody

# paused: its session stopped working; the job carries on by itself once the session works again.
BulkStatus = Literal["queued", "running", "paused", "completed", "cancelled"]
RecipientStatus = Literal["pending", "sent", "failed", "cancelled"]


class BulkCreate(RequestBody):
    session_id: str = Field(examples=["abc123"])
    group_id: str | None = Field(default=None, description="Send to every member of this custom group")
    phones: list[Phone] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST,
                                examples=[["15551234567", "447700900123"]])
    contacts: list[Contact] = Field(default_factory=list, max_length=MAX_MEMBERS_PER_REQUEST,
                                    description="Recipients with names, for `{name}`")
    message: str = Field(min_length=1, max_length=4096, examples=["Hi {name}, your order is ready!"],
                         description="`{name}` is replaced by each recipient's name")
    media_url: str | None = Field(default=None, max_length=2000)
    fallback_name: str = Field(default="", max_length=200,
                               description="Fills `{name}` for recipients without a name")

    @model_validator(mode="after")
    def _one_audience(self):
        if (self.group_id is None) == (not self.phones and not self.contacts):
            raise ValueError("give either `group_id` or `phones`/`contacts`, not both and not neither")
        return self


class BulkPublic(BaseModel):
    id: str
    session_id: str
    group_id: str | None
    message: str
    media_url: str | None
    status: BulkStatus
    total: int
    sent: int
    failed: int
    pending: int = Field(description="Recipients not attempted yet")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class RecipientPublic(BaseModel):
    phone: str
    name: str | None
    status: RecipientStatus
    message_id: str | None
    error: str | None
    sent_at: datetime | None


class BulkDetail(BulkPublic):
    recipients: list[RecipientPublic]
