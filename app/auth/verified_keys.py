"""API keys this process verified against the database a moment ago, so most requests skip that read.

An entry lives VERIFIED_FOR_SECONDS at most. A commit in this process that changes any API key or account (a
revocation, a plan change) drops every entry at once; another process's change (a second API process, the CLI)
takes effect here within VERIFIED_FOR_SECONDS. JWTs are not cached: their login session is checked every time.
"""

import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from app.accounts.models import Account
from app.apikeys.models import ApiKey
from app.auth.principal import Principal

# The longest a revoked key keeps working, or an old plan keeps applying, in a process other than the one that
# made the change. Five seconds is far below any human reaction to a leaked key, and above the gap between an
# integration's calls in a busy minute, so the read is skipped for almost every call.
VERIFIED_FOR_SECONDS = 5.0
MAX_ENTRIES = 10_000
_CHANGED = "replybase_auth_rows_changed"
_generation = 0  # bumped by every commit that changed keys or accounts in this process


class VerifiedKeys:
    def __init__(self, ttl_seconds: float = VERIFIED_FOR_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._entries: dict[str, tuple[float, int, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str) -> Principal | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        expires, generation, principal = entry
        if generation != _generation or time.monotonic() >= expires:
            self._entries.pop(key_hash, None)
            return None
        return principal

    def put(self, key_hash: str, principal: Principal, generation: int) -> None:
        """Remember a verification; `generation` is `current_generation()` read before the database was."""
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # a flood of distinct keys: start over rather than track ages
            self._entries[key_hash] = (time.monotonic() + self.ttl_seconds, generation, principal)


def current_generation() -> int:
    return _generation


@event.listens_for(OrmSession, "after_flush")
def _note_auth_changes(session: OrmSession, _context) -> None:
    if any(isinstance(row, ApiKey | Account) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_CHANGED] = True


@event.listens_for(OrmSession, "after_commit")
def _forget_on_commit(session: OrmSession) -> None:
    global _generation
    if session.info.pop(_CHANGED, False):
        _generation += 1
