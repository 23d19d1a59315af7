"""Small shared column types and helpers used by every domain's models."""

import secrets
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(name: str) -> str:
    """An IANA zone name, or ValueError (ZoneInfo alone also opens folders and over-long paths on disk)."""
    if name not in _zone_names():
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Europe/London")
    ZoneInfo(name)
    return name


def new_id() -> str:
    """A random, unguessable public id (so ids leak nothing about other tenants)."""
    return secrets.token_hex(12)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
