"""Who goes first on this process's CPUs: requests, then replies, then the rest of the background work.

Requests, job slots and ingestion share two cores and one interpreter. A burst of inbound calls (a gateway waits for
each acknowledgement, and retries when it is slow) must not queue behind the replies it causes, and a reply must not
queue behind a 200-page upload. So background work steps aside at safe points (before claiming a job, between
embedding batches) while more urgent work runs here. A pause is bounded, so steady urgent work only slows the rest
down; it never stops it: a job slot whose pause ran out then works as long again without pausing.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

# One embedding batch takes about a second on this class of machine; waiting at most this long before each one lets
# ingestion move at least one batch per REPLY_MAX_PAUSE_SECONDS while replies keep arriving.
REPLY_MAX_PAUSE_SECONDS = 5.0
# A job waits for in-flight requests at most as long as an inbound call may take under a burst (issue #9's p95
# bound of 1 s), so a job is never delayed by more than one burst's worth of acknowledgements.
REQUEST_MAX_PAUSE_SECONDS = 1.0
# The niceness of ingestion's threads (0 normal, 19 lowest; 10 is `nice`'s default): the scheduler prefers every other
# thread of the service when the CPUs are busy, while an idle machine still gives ingestion all it has.
INGEST_NICENESS = 10

class Foreground:
    """A count of urgent work running now, and a bounded wait for it to reach zero."""

    def __init__(self, max_pause_seconds: float) -> None:
        self.max_pause_seconds = max_pause_seconds
        self._active = 0
        self._overdue_until = 0.0  # the end of the pause-free turn of the one caller whose pause ran out
        self._changed = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[None]:
        """Around work someone is waiting for."""
        with self._changed:
            self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                if not self._active:
                    self._changed.notify_all()

    def give_way(self) -> bool:
        """Called by less urgent work between steps: wait (bounded) until no urgent work runs; False when the
        pause ran out first. The caller may then work for `max_pause_seconds` without asking again, and while it
        does, the others wait on: under steady urgent work one background thread at a time competes with it."""
        deadline = time.monotonic() + self.max_pause_seconds
        with self._changed:
            while self._active:
                now = time.monotonic()
                if now >= deadline and now >= self._overdue_until:
                    self._overdue_until = now + self.max_pause_seconds
                    return False
                self._changed.wait(timeout=max(deadline, self._overdue_until) - now)
            return True


def reply_priority() -> Foreground:
    return Foreground(REPLY_MAX_PAUSE_SECONDS)


def request_priority() -> Foreground:
    return Foreground(REQUEST_MAX_PAUSE_SECONDS)
