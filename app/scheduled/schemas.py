from datetime import datetime, timedelta
from typing import Literal

from croniter import croniter
from pydantic import AwareDatetime, BaseModel, Field, field_validator, model_validator

from app.common import check_time_zone, utcnow
from app.phones import Phone
from app.scheduled.dialect import read_moltflow
from app.scheduled.recurrence import first_run
from app.schema_base import RequestBody

# paused: held by POST .../pause until POST .../resume.
ScheduledStatus = Literal["pending", "paused", "sent", "failed", "cancelled"]
MAX_MESSAGE_LENGTH = 4096
MAX_AHEAD = timedelta(days=10 * 365)


def check_future(value: datetime) -> datetime:
    if value <= utcnow():
        raise ValueError("scheduled_at is in the past; give a future time with a zone, "
                         "e.g. 2026-12-01T09:00:00+01:00")
    if value - utcnow() > MAX_AHEAD:
        raise ValueError(f"scheduled_at is more than {MAX_AHEAD.days // 365} years ahead")
    return value


def check_cron(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if len(value.split(" ")) != 5 or not croniter.is_valid(value):
        raise ValueError(f"invalid cron expression {value!r}: use 5 fields, minute hour day month weekday, "
                         "e.g. '0 9 * * 1-5'")
    return value


class ScheduledCreate(RequestBody):
    """Ours, or MoltFlow's names (message_content, custom_group_id, chat_id, scheduled_time, cron_expression,
    schedule_type or recurrence): see app/scheduled/dialect.py."""

    name: str | None = Field(default=None, min_length=1, max_length=255, examples=["Weekly VIP Update"])
    session_id: str = Field(examples=["abc123"])
    phone: Phone | None = Field(default=None, examples=["15551234567"])
    group_id: str | None = Field(default=None, description="A custom group instead of a phone")
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH,
                         description="`{name}` is replaced by each group member's name")
    media_url: str | None = Field(default=None, max_length=2000)
    scheduled_at: AwareDatetime = Field(examples=["2026-12-01T09:00:00+01:00"],
                                        description="ISO 8601 with a zone; for a recurring message, the start")
    cron: str | None = Field(default=None, examples=["0 9 * * 1-5"],
                             description="Repeat on this 5-field cron schedule, read in `timezone`")
    timezone: str = Field(default="UTC", examples=["Europe/Madrid"])

    _moltflow_names = model_validator(mode="before")(read_moltflow)
    _future = field_validator("scheduled_at")(check_future)
    _cron = field_validator("cron")(check_cron)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        return check_time_zone(value)

    @model_validator(mode="after")
    def _one_target(self):
        if (self.phone is None) == (self.group_id is None):
            raise ValueError("give exactly one of `phone` or `group_id`")
        return self

    @model_validator(mode="after")
    def _cron_ever_fires(self):
        if self.cron is not None:
            try:
                first_run(self.cron, self.timezone, self.scheduled_at)
            except (ValueError, KeyError, OverflowError):  # croniter's errors for a date that never comes
                raise ValueError(f"the cron expression {self.cron!r} never matches a date after scheduled_at") from None
        return self


class ScheduledChanges(RequestBody):
    """PATCH: only the fields sent change (MoltFlow's names too); the next run is computed again."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    message: str | None = Field(default=None, min_length=1, max_length=MAX_MESSAGE_LENGTH)
    media_url: str | None = Field(default=None, max_length=2000)
    scheduled_at: AwareDatetime | None = None
    cron: str | None = None
    timezone: str | None = None

    _moltflow_names = model_validator(mode="before")(read_moltflow)
    _future = field_validator("scheduled_at")(check_future)
    _cron = field_validator("cron")(check_cron)

    @field_validator("timezone")
    @classmethod
    def _valid_timezone(cls, value: str | None) -> str | None:
        return value if value is None else check_time_zone(value)


class ScheduledPublic(BaseModel):
    id: str
    name: str | None
    session_id: str
    phone: str | None
    group_id: str | None
    message: str
    media_url: str | None
    scheduled_at: datetime
    cron: str | None
    timezone: str
    status: ScheduledStatus
    next_run_at: datetime | None = Field(description="When it fires next; null once sent, failed or cancelled")
    run_count: int = Field(description="How many times it has fired")
    last_run_at: datetime | None
    last_sent: int = Field(description="Recipients sent to on the last run")
    last_failed: int = Field(description="Recipients that failed on the last run")
    last_error: str | None
    created_at: datetime
    # MoltFlow's names for the same values
    schedule_type: Literal["one_time", "cron"]
    cron_expression: str | None
    message_content: str
    custom_group_id: str | None


class RunPublic(BaseModel):
    run: int = Field(description="1 for the first time it fired")
    phone: str
    status: str
    message_id: str | None
    error: str | None
    sent_at: datetime


class RunPage(BaseModel):
    items: list[RunPublic]
    total: int
    limit: int
    offset: int
