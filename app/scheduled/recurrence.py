"""Cron schedules read in the message's own time zone (so "0 9 * * 1-5" stays 9:00 across DST changes)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter


def next_run(cron: str, timezone: str, after: datetime) -> datetime:
    """The first time strictly after `after` that matches `cron` in `timezone`, in UTC."""
    local = after.astimezone(ZoneInfo(timezone))
    return croniter(cron, local).get_next(datetime).astimezone(UTC)


def first_run(cron: str | None, timezone: str, scheduled_at: datetime) -> datetime:
    """A one-off fires at `scheduled_at`; a recurring one at its first cron time at or after it."""
    if cron is None:
        return scheduled_at.astimezone(UTC)
    return next_run(cron, timezone, scheduled_at - timedelta(seconds=1))
