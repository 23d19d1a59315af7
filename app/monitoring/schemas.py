"""MoltFlow's group monitoring shapes (/groups): monitored groups, a session's WhatsApp groups, changes to them."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.phones import CHAT_ID_RULE, ChatId, parse_chat_id
from app.schema_base import RequestBody

MonitorMode = Literal["all", "keywords", "mentions", "first_message"]
MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 100
# WhatsApp's limit on a group's name (its "subject").
MAX_GROUP_NAME = 100
MAX_PARTICIPANTS = 256


def _group_chat_id(value: str) -> str:
    address = parse_chat_id(value)
    if not address.is_group:
        raise ValueError(f"{value!r} is not a WhatsApp group: a group id ends in @g.us, e.g. 120363012345678901@g.us")
    return address.chat_id


def _clean_keywords(keywords: list[str] | None) -> list[str] | None:
    """Trimmed, each once (case-insensitive), in the order given."""
    if keywords is None:
        return None
    cleaned, seen = [], set()
    for keyword in keywords:
        keyword = " ".join(keyword.split())
        if not 1 <= len(keyword) <= MAX_KEYWORD_LENGTH:
            raise ValueError(f"each keyword must be 1 to {MAX_KEYWORD_LENGTH} characters")
        if keyword.casefold() not in seen:
            seen.add(keyword.casefold())
            cleaned.append(keyword)
    return cleaned


class MonitoredGroupCreate(RequestBody):
    session_id: str = Field(min_length=1, max_length=32)
    wa_group_id: str = Field(max_length=80, examples=["120363012345678901@g.us"],
                             description="The WhatsApp group, from GET /groups/available/{session_id}")
    monitor_mode: MonitorMode = Field(default="first_message", description=(
        "all: every message; keywords: messages with one of monitor_keywords; mentions: messages that mention the "
        "session's number; first_message: a member's first message in the group"))
    monitor_keywords: list[str] = Field(default_factory=list, max_length=MAX_KEYWORDS,
                                        examples=[["urgent", "need help"]],
                                        description="Words or phrases, matched whole and case-insensitively")
    name: str | None = Field(default=None, min_length=1, max_length=200,
                             description="Defaults to the group's WhatsApp name")

    _group = field_validator("wa_group_id")(_group_chat_id)
    _keywords = field_validator("monitor_keywords")(_clean_keywords)

    @model_validator(mode="after")
    def _keywords_for_keyword_mode(self):
        if self.monitor_mode == "keywords" and not self.monitor_keywords:
            raise ValueError("monitor_mode 'keywords' needs at least one entry in monitor_keywords")
        return self


class MonitoredGroupUpdate(RequestBody):
    """Only the fields sent change."""

    monitor_mode: MonitorMode | None = None
    monitor_keywords: list[str] | None = Field(default=None, max_length=MAX_KEYWORDS)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = Field(default=None, description="false pauses monitoring without forgetting the group")

    _keywords = field_validator("monitor_keywords")(_clean_keywords)


class MonitoredGroupPublic(BaseModel):
    id: str
    session_id: str
    wa_group_id: str = Field(examples=["120363012345678901@g.us"])
    name: str
    monitor_mode: MonitorMode
    monitor_keywords: list[str]
    is_active: bool
    message_count: int = Field(description="Messages captured so far (each sent as a group.message event)")
    last_message_at: datetime | None
    last_message_id: str | None = Field(description="Our id of the last captured message (GET /messages/{id})")
    created_at: datetime
    updated_at: datetime


class MonitoredGroupPage(BaseModel):
    items: list[MonitoredGroupPublic]
    total: int
    limit: int
    offset: int


class Participant(BaseModel):
    phone: str
    role: Literal["member", "admin", "superadmin"]


class AvailableGroup(BaseModel):
    wa_group_id: str = Field(examples=["120363012345678901@g.us"])
    name: str
    participant_count: int
    is_monitored: bool
    monitored_group_id: str | None = Field(description="The monitored group's id, when it is monitored")


class AvailableGroupPage(BaseModel):
    session_id: str
    items: list[AvailableGroup]
    total: int
    limit: int
    offset: int


class WaGroupCreate(RequestBody):
    session_id: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=MAX_GROUP_NAME, examples=["Spring launch"])
    participants: list[ChatId] = Field(min_length=1, max_length=MAX_PARTICIPANTS, examples=[["5511999999999@c.us"]],
                                       description=f"Each: {CHAT_ID_RULE} (not a group)")

    @field_validator("participants")
    @classmethod
    def _people(cls, participants: list[str]) -> list[str]:
        return _phones(participants)


class WaGroupPublic(BaseModel):
    session_id: str
    wa_group_id: str
    name: str
    participant_count: int
    participants: list[Participant]


class ParticipantsChange(RequestBody):
    participants: list[ChatId] = Field(min_length=1, max_length=MAX_PARTICIPANTS, examples=[["5511999999999@c.us"]],
                                       description=f"Each: {CHAT_ID_RULE} (not a group)")
    session_id: str | None = Field(default=None, min_length=1, max_length=32, description=(
        "The session whose number is in the group; may be left out when exactly one session monitors it"))

    @field_validator("participants")
    @classmethod
    def _people(cls, participants: list[str]) -> list[str]:
        return _phones(participants)


class ParticipantsChanged(BaseModel):
    success: bool = True
    session_id: str
    wa_group_id: str
    action: Literal["add", "remove", "promote", "demote"]
    participants: list[str] = Field(description="The phones the change was sent for")


def _phones(chat_ids: list[str]) -> list[str]:
    phones = []
    for chat_id in chat_ids:
        address = parse_chat_id(chat_id)
        if address.phone is None:
            raise ValueError(f"{chat_id} is a group; participants are people (phones or <phone>@c.us)")
        if address.phone not in phones:
            phones.append(address.phone)
    return phones
