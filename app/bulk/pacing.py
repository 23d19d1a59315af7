"""How fast a session may send bulk messages: REPLYBASE_BULK_MESSAGES_PER_MINUTE, with jitter, so the
steady, machine-like rhythm WhatsApp flags as spam never appears."""

import random
from datetime import datetime, timedelta

from app.config import Settings

JITTER = 0.2  # each gap is 80%-120% of the nominal interval


def interval(settings: Settings) -> timedelta:
    return timedelta(seconds=60.0 / settings.bulk_messages_per_minute)


def next_gap(settings: Settings) -> timedelta:
    return interval(settings) * random.uniform(1 - JITTER, 1 + JITTER)


def earliest_next_send(settings: Settings, last_send: datetime | None) -> datetime | None:
    """None when the session may send now; else the time to try again."""
    if last_send is None:
        return None
    if datetime.now(last_send.tzinfo) - last_send >= interval(settings) * (1 - JITTER):
        return None
    return last_send + next_gap(settings)
