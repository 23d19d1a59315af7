import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from app.common import check_time_zone
from app.phones import contact_or_group
from app.schema_base import RequestBody

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Before 0009 the default; a setting still holding it is emptied by that migration ("human" fired inside questions).
LEGACY_HANDOFF_KEYWORDS = ["human", "agent", "person", "operator", "representative", "complaint"]


class BusinessHours(RequestBody):
    timezone: str = Field(default="UTC", examples=["Europe/London"])
    days: dict[str, list[tuple[str, str]]] = Field(
        default_factory=dict, examples=[{"mon": [["09:00", "18:00"]], "sun": [["11:00", "15:00"]]}],
        description="Open ranges per day (mon..sun); a day not listed is closed.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_time_zone(value)

    @field_validator("days")
    @classmethod
    def _valid_ranges(cls, value: dict) -> dict:
        for day, ranges in value.items():
            if day not in DAYS:
                raise ValueError(f"unknown day {day!r}; use {', '.join(DAYS)}")
            for start, end in ranges:
                if not (_TIME.match(start) and _TIME.match(end)) or start >= end:
                    raise ValueError(f"{day}: {start}-{end} is not a range of HH:MM times")
        return value


class AutoReplyConfig(RequestBody):
    """Everything about the bot on one session; a PUT replaces it whole (fields not sent take these defaults)."""

    enabled: bool = False
    style_profile_id: str | None = None
    drafter: Literal["extractive", "openai"] = "extractive"
    tags: list[str] = Field(default_factory=list, description="Only search documents with these tags")
    mode: Literal["auto", "review"] = "auto"
    min_confidence: float | None = Field(
        default=None, ge=0, le=1,
        description="Answer only when the draft's confidence reaches this, hand off below it; null: the drafter's own "
                    "rule (extractive: 0.5, the reply more likely right than not; openai: 0.35). The extractive "
                    "drafter's confidence is the calibrated probability that its reply is right")
    fallback_message: str = Field(default="", max_length=1000,
                                  description="Sent when the documents do not know; empty uses prompts/fallback.j2")
    handoff_keywords: list[str] = Field(
        default_factory=list, examples=[["speak to the owner", "hablar con el dueño"]],
        description="Phrases that mean the customer wants a person, besides the built-in ones in seven languages "
                    "(\"talk to a human\", \"a real person\", ...); each matches as whole words, case and accents "
                    "ignored")
    human_pause_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    ignore_groups: bool = Field(default=True, description="Skip group chats unless allow-listed or mention_only")
    mention_only: bool = Field(default=False, description="In groups, answer only messages that mention "
                               "the session's number (@<number>); opts every group in for those")
    allow_list: list[str] = Field(default_factory=list, description="Phones or group ids; non-empty = only these")
    block_list: list[str] = Field(default_factory=list)
    business_hours: BusinessHours | None = None
    off_hours_message: str = Field(default="", max_length=1000)
    debounce_seconds: float = Field(default=3.0, ge=0, le=120)
    max_replies_per_chat_per_hour: int = Field(default=10, ge=1, le=1000)
    memory_turns: int = Field(default=6, ge=0, le=50)

    @field_validator("allow_list", "block_list")
    @classmethod
    def _canonical_entries(cls, values: list[str]) -> list[str]:
        # Stored as the bot compares them: a contact's digits, a group's chat id; any written form is accepted.
        return list(dict.fromkeys(contact_or_group(value) for value in values))


# PATCH: every field optional; what is sent is merged over the current settings and checked as a whole.
AutoReplyChanges = create_model(
    "AutoReplyChanges", __base__=RequestBody,
    **{name: (field.annotation | None, None) for name, field in AutoReplyConfig.model_fields.items()})


class AutoReplyPublic(AutoReplyConfig):
    model_config = ConfigDict(extra="ignore")

    session_id: str
    updated_at: datetime
    defaults_applied: list[str] | None = Field(
        default=None, description="After a PUT: the fields the body left out, which were reset to their defaults "
                                  "(use PATCH to change only some fields)")


class PauseRequest(RequestBody):
    minutes: int = Field(default=60, ge=1, le=30 * 24 * 60)


class ChatStatePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    session_id: str
    chat_id: str
    paused_until: datetime | None
    handoff_open: bool


class ReplyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    chat_id: str
    inbound_message_id: str
    inbound_text: str
    reply_text: str | None
    status: str
    reason: str | None
    sources: list[dict]
    confidence: float | None
    drafter: str | None
    latency_ms: float | None
    created_at: datetime


class ReplyPage(BaseModel):
    items: list[ReplyPublic]
    total: int
    limit: int
    offset: int


class ApproveRequest(RequestBody):
    text: str | None = Field(default=None, min_length=1, max_length=4096, description="Send this instead")


class PreviewTurn(RequestBody):
    role: Literal["customer", "business"]
    text: str = Field(max_length=4096)


class PreviewRequest(RequestBody):
    message: str = Field(min_length=1, max_length=4096, examples=["When are you open on Sunday?"])
    session_id: str | None = None
    style_profile_id: str | None = None
    history: list[PreviewTurn] = Field(default_factory=list, max_length=50)


MAX_EVALUATION_QUESTIONS = 100  # about 2 s of drafting offline; with a remote model, as many model calls


class EvaluationQuestion(RequestBody):
    message: str = Field(min_length=1, max_length=4096, examples=["How much is a basic tune-up?"])
    expect: list[Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]] = Field(
        default_factory=list, max_length=10, examples=[["£45"]],
        description="Facts a right reply contains, each as written (case and spacing ignored); empty: a question the "
                    "documents do not cover, which the bot should hand off")


class EvaluationRequest(RequestBody):
    questions: list[EvaluationQuestion] = Field(min_length=1, max_length=MAX_EVALUATION_QUESTIONS)
    session_id: str | None = Field(default=None, description="Use this session's settings (drafter, tags, "
                                                             "min_confidence); default settings otherwise")
    lines: list[Annotated[float, Field(ge=0, le=1)]] = Field(
        default=[0.3, 0.4, 0.5, 0.6, 0.7], min_length=1, max_length=20,
        description="The min_confidence values to compare")

    @field_validator("lines")
    @classmethod
    def _in_order(cls, lines: list[float]) -> list[float]:
        return sorted(set(lines))


Outcome = Literal["right", "wrong", "handed_off", "uncovered_handed_off", "uncovered_answered"]


class EvaluatedQuestion(BaseModel):
    message: str
    reply: str  # what the bot would send if it answered (the hand-off text when it cannot answer at any line)
    confidence: float
    sent: bool  # at the session's line
    drafted: bool  # a lower line would send `reply` (False: the bot hands off at any line, `reason` says why)
    outcome: Outcome  # at the session's line
    reason: str | None = None  # why it is not sent at the session's line


class EvaluationLine(BaseModel):
    min_confidence: float
    right: int
    wrong: int
    handed_off: int
    uncovered_handed_off: int
    uncovered_answered: int


class EvaluationResponse(BaseModel):
    line: float = Field(description="The line the bot uses now: the session's min_confidence, or its drafter's own")
    drafter: str
    questions: list[EvaluatedQuestion]
    lines: list[EvaluationLine]


class PreviewResponse(BaseModel):
    reply: str
    sources: list[dict]
    confidence: float
    handoff: bool
    reason: str | None = None
    drafter: str | None = None
