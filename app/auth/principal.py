from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Principal:
    """Who is calling: the same shape whether they sent an API key or a JWT."""

    account_id: str
    plan: str
    scopes: frozenset[str]
    user_id: str | None = None
    api_key_id: str | None = None
    login_session_id: str | None = None
    # An API key whose last_used_at is older than its resolution: the caller stamps it in a write of its own.
    key_use_unrecorded: bool = False
    # When the API key stops working by itself (None: never, or not a key).
    key_expires_at: datetime | None = None
