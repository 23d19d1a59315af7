"""Request budgets with the `limits` library (memory, or Redis shared by replicas): per account per hour, and the
throttles of app/throttling.py in the same storage.

When Redis does not answer, budgets are counted in this process's memory until it answers again, with a warning in
the log (Flask-Limiter's in-memory fallback does the same). Redis only holds counters: refusing every API call while
it is down would make a counter store a single point of failure for the whole API. Meanwhile each replica allows the
full budget, so an account can use up to replicas x budget for as long as the outage lasts, and /readyz says Redis
is down.
"""

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

logger = logging.getLogger("replybase.ratelimit")
T = TypeVar("T")
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
# Every authenticated request waits on Redis. One on the same network answers in well under a millisecond, so one
# that has not answered in a second is down, not busy (redis-py's default is to wait forever).
REDIS_TIMEOUT_SECONDS = 1.0
# While Redis is down it is tried again after 1, 2, 4 ... 32 s, then every 32 s (Flask-Limiter's fallback schedule).
RETRY_CAP_SECONDS = 32.0
# Memory counters: an expired counter is dropped whenever it is read; idle ones are swept this often, which only
# bounds the memory of accounts that stopped calling.
SWEEP_SECONDS = 60.0
# Window ends remembered (one per active account and plan limit); past this many the memo starts over.
MAX_WINDOWS_REMEMBERED = 10_000


class MemoryCounters(MemoryStorage):
    """limits' memory storage, minus its expiry timer: that one started a new thread on almost every request
    (a 10 ms Timer, re-armed by the next hit), which cost more than the count itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the base's private hook
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def _storage(uri: str, **options):
    return MemoryCounters() if uri.startswith("memory://") else storage_from_string(uri, wrap_exceptions=True,
                                                                                    **options)


@dataclass(frozen=True)
class RateLimitStatus:
    allowed: bool
    limit: int
    remaining: int
    reset_time: float  # epoch seconds

    @property
    def reset_at(self) -> int:
        return math.ceil(self.reset_time)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_time - time.time()))

    def headers(self) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining),
                "X-RateLimit-Reset": str(self.reset_at)}


@dataclass(frozen=True)
class Limiters:
    fixed: FixedWindowRateLimiter
    moving: MovingWindowRateLimiter
    # When each budget's current window ends, as the storage said: it stays fixed for the window's length, so it is
    # asked once per window instead of on every request.
    window_ends: dict[str, float] = field(default_factory=dict)

    def window_end(self, key: str) -> float:
        ends = self.window_ends.get(key)
        if ends is None or ends <= time.time():
            if len(self.window_ends) >= MAX_WINDOWS_REMEMBERED:
                self.window_ends.clear()  # many accounts: start over rather than track ages
            ends = self.window_ends[key] = self.fixed.storage.get_expiry(key)
        return ends


class AccountRateLimiter:
    def __init__(self, storage_uri: str, window_seconds: int) -> None:
        timeouts = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
        self._storage = _storage(storage_uri, **(timeouts if storage_uri.startswith(REDIS_SCHEMES) else {}))
        # Budgets count in a fixed window (the X-RateLimit-Reset contract); throttles in a moving one, since a fixed
        # one would let twice the limit through across its boundary.
        self._limiters = Limiters(FixedWindowRateLimiter(self._storage), MovingWindowRateLimiter(self._storage))
        self._window = window_seconds
        self._fallback: Limiters | None = None  # set while the storage does not answer
        self._failed_checks = 0
        self._next_check = 0.0
        self._lock = threading.Lock()

    def hit(self, account_id: str, limit: int) -> RateLimitStatus:
        """Count one request against the account's budget and report what is left.

        One call to the storage (one Redis round trip) per request: the count comes back from the increment (as in
        `limits`' FixedWindowRateLimiter.hit), the window's end from a per-window memo."""
        item = RateLimitItemPerSecond(limit, self._window)
        key = item.key_for("account", account_id)

        def count(limiters: Limiters) -> RateLimitStatus:
            used = limiters.fixed.storage.incr(key, item.get_expiry())
            return RateLimitStatus(used <= limit, limit, max(0, limit - used), limiters.window_end(key))

        return self._with_fallback(count)

    @property
    def counts_in_memory(self) -> bool:
        """True when budgets are counted in this process's memory by configuration: counting calls nothing."""
        return isinstance(self._storage, MemoryStorage)

    def used(self, account_id: str, limit: int) -> int:
        item = RateLimitItemPerSecond(limit, self._window)
        return self._with_fallback(lambda limiters: limit - limiters.fixed.get_window_stats(item, "account",
                                                                                             account_id).remaining)

    def throttle(self, item: RateLimitItem, *identifiers: str) -> RateLimitStatus:
        """Count one attempt against `item` (e.g. 10 per minute) for the caller named by `identifiers`."""

        def count(limiters: Limiters) -> RateLimitStatus:
            allowed = limiters.moving.hit(item, *identifiers)
            stats = limiters.moving.get_window_stats(item, *identifiers)
            return RateLimitStatus(allowed, item.amount, stats.remaining, stats.reset_time)

        return self._with_fallback(count)

    def check_storage(self) -> bool:
        """Whether the configured storage (Redis) answers now; the memory fallback does not count."""
        return bool(self._storage.check())

    def _with_fallback(self, count: Callable[["Limiters"], T]) -> T:
        try:
            return count(self._current_limiter())
        except StorageError as exc:  # only the configured storage raises it; memory always answers
            return count(self._fall_back(exc))

    def _current_limiter(self) -> "Limiters":
        fallback = self._fallback
        if fallback is None:
            return self._limiters
        # One request at a time checks whether the storage is back; the others go on counting in memory.
        if time.monotonic() < self._next_check or not self._lock.acquire(blocking=False):
            return fallback
        try:
            if self._storage.check():
                logger.info("rate limit storage answers again; budgets are shared by all replicas again")
                self._fallback = None
                return self._limiters
            self._schedule_check()
            return fallback
        finally:
            self._lock.release()

    def _fall_back(self, exc: StorageError) -> "Limiters":
        with self._lock:
            if self._fallback is None:
                logger.warning("rate limit storage unreachable (%s); counting budgets in this process until it "
                               "answers, so each replica allows the full budget meanwhile", exc.storage_error)
                memory = MemoryCounters()
                self._fallback = Limiters(FixedWindowRateLimiter(memory), MovingWindowRateLimiter(memory))
                self._failed_checks = 0
                self._schedule_check()
            return self._fallback

    def _schedule_check(self) -> None:
        self._next_check = time.monotonic() + min(RETRY_CAP_SECONDS, 2.0 ** self._failed_checks)
        self._failed_checks += 1
