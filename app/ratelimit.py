"""Request budgets with the `limits` library (memory, or Redis shared by replicas): per account per hour, and the
throttles of app/throttling.py in the same storage."""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter


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


class AccountRateLimiter:
    def __init__(self, storage_uri: str, window_seconds: int) -> None:
        self._storage = storage_from_string(storage_uri)
        self._limiter = FixedWindowRateLimiter(self._storage)
        # Throttles count in a moving window: a fixed one would let twice the limit through across its boundary.
        self._moving = MovingWindowRateLimiter(self._storage)
        self._window = window_seconds

    def hit(self, account_id: str, limit: int) -> RateLimitStatus:
        """Count one request against the account's budget and report what is left."""
        item = RateLimitItemPerSecond(limit, self._window)
        allowed = self._limiter.hit(item, "account", account_id)
        stats = self._limiter.get_window_stats(item, "account", account_id)
        return RateLimitStatus(allowed, limit, stats.remaining, stats.reset_time)

    def used(self, account_id: str, limit: int) -> int:
        item = RateLimitItemPerSecond(limit, self._window)
        return limit - self._limiter.get_window_stats(item, "account", account_id).remaining

    def throttle(self, item: RateLimitItem, *identifiers: str) -> RateLimitStatus:
        """Count one attempt against `item` (e.g. 10 per minute) for the caller named by `identifiers`."""
        allowed = self._moving.hit(item, *identifiers)
        stats = self._moving.get_window_stats(item, *identifiers)
        return RateLimitStatus(allowed, item.amount, stats.remaining, stats.reset_time)

    def check_storage(self) -> bool:
        return bool(self._storage.check())
