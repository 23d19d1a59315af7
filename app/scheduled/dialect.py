"""MoltFlow's names for a scheduled message, read as ours, so both kinds of body go through one schema.

MoltFlow writes `message_content`, `custom_group_id`, `chat_id`, `cron_expression`, `scheduled_time` (a local time
in `timezone`, often without a zone), and says how it repeats with `schedule_type` or `recurrence` (one_time,
daily, weekly, monthly, cron). Ours are `message`, `group_id`, `phone`, `cron` and `scheduled_at` (with a zone)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.common import check_time_zone, utcnow
from app.phones import parse_chat_id

RENAMES = {"message_content": "message", "custom_group_id": "group_id", "cron_expression": "cron"}
REPEATS = ("one_time", "daily", "weekly", "monthly", "cron")
_CRON_DAYS = ("1", "2", "3", "4", "5", "6", "0")  # Monday first, as datetime.weekday() counts


def _renamed(data: dict) -> dict:
    out = dict(data)
    for theirs, ours in RENAMES.items():
        if theirs in out:
            value = out.pop(theirs)
            if out.get(ours) is not None and value is not None and out[ours] != value:
                raise ValueError(f"`{theirs}` and `{ours}` are the same field and differ; give one")
            out[ours] = value if value is not None else out.get(ours)
    return out


def _local_time(value, timezone: str) -> datetime | str:
    """A time without a zone is read in the message's `timezone`."""
    if not isinstance(value, str):
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema says what is wrong with it
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(check_time_zone(timezone)))


def _cron_for(repeat: str, at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    day = {"daily": "*", "weekly": "*", "monthly": str(local.day)}[repeat]
    weekday = _CRON_DAYS[local.weekday()] if repeat == "weekly" else "*"
    return f"{local.minute} {local.hour} {day} * {weekday}"


def read_moltflow(data):
    """Our field names for a MoltFlow body (ours passes through unchanged); ValueError for what cannot be read."""
    if not isinstance(data, dict):
        return data
    out = _renamed(data)
    out.pop("message_type", None)  # text or media: media_url says which
    timezone = out.get("timezone") or "UTC"
    if "chat_id" in out:
        chat = out.pop("chat_id")
        address = parse_chat_id(chat) if isinstance(chat, str) else None
        if address is None or address.is_group:
            raise ValueError("chat_id must be a contact's chat id (<phone>@c.us); scheduling into a WhatsApp "
                             "group chat is not supported: use custom_group_id for a list of contacts")
        if out.get("phone") not in (None, address.phone):
            raise ValueError("`chat_id` and `phone` name different contacts; give one")
        out["phone"] = address.phone
    if "scheduled_time" in out:
        if out.get("scheduled_at") is not None:
            raise ValueError("`scheduled_time` and `scheduled_at` are the same field; give one")
        out["scheduled_at"] = _local_time(out.pop("scheduled_time"), timezone)
    repeat = out.pop("schedule_type", None) or out.pop("recurrence", None)
    out.pop("recurrence", None)
    if repeat is None:
        return out
    if repeat not in REPEATS:
        raise ValueError(f"schedule_type must be one of {', '.join(REPEATS)} (got {repeat!r})")
    if repeat == "one_time":
        if out.get("cron"):
            raise ValueError("a one_time schedule takes no cron_expression")
        if out.get("scheduled_at") is None:
            raise ValueError("a one_time schedule needs scheduled_time")
        return out
    if out.get("scheduled_at") is None:
        out["scheduled_at"] = utcnow() + timedelta(seconds=1)  # repeats from now on
    if not out.get("cron"):
        if repeat == "cron":
            raise ValueError("schedule_type cron needs cron_expression")
        at = out["scheduled_at"]
        if not isinstance(at, datetime):
            return out  # the schema reports the unreadable time
        out["cron"] = _cron_for(repeat, at, timezone)
    return out
