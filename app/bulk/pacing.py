"""How fast a session may send bulk messages: REPLYBASE_BULK_MESSAGES_PER_MINUTE, with jitter, so the
steady, machine-like rhythm WhatsApp flags as spam never appears."""

import random
from datetime import datetime, timedelta

from app.config import Settings

JITTER = 0.2  # each gap is 80%-120% of the nominal interval
# How much earlier than the shortest gap a send may follow the last one: a step that ran late makes the next
# on-time one look early by that lateness (a few milliseconds), which must not push it back a whole gap.
LATENESS_ALLOWANCE = timedelta(milliseconds=50)


def interval(settings: Settings) -> timedelta:
    return timedelta(seconds=60.0 / settings.bulk_messages_per_minute)


def next_gap(settings: Settings) -> timedelta:
    return interval(settings) * random.uniform(1 - JITTER, 1 + JITTER)


def earliest_next_send(settings: Settings, last_send: datetime | None) -> datetime | None:
    """None when the session may send now; else the time to try again."""
    if last_send is None:
        return None
    shortest = interval(settings) * (1 - JITTER)
    if datetime.now(last_send.tzinfo) - last_send >= shortest - min(LATENESS_ALLOWANCE, shortest / 2):
        return None
    return last_send + next_gap(settings)
