"""Replies first: while this process works on a reply, ingestion pauses between embedding batches.

Both share the same two CPU cores (and the same embedding model), so a 200-page upload would otherwise slow every
reply down by the batch it is embedding. A pause is bounded, so a steady stream of replies only slows ingestion
down; it never stops it.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

# One embedding batch (32 chunks) takes about a second on this class of machine; waiting at most this long before
# each one lets ingestion move at least one batch per MAX_PAUSE_SECONDS while replies keep arriving.
MAX_PAUSE_SECONDS = 5.0


class ReplyPriority:
    def __init__(self, max_pause_seconds: float = MAX_PAUSE_SECONDS) -> None:
        self.max_pause_seconds = max_pause_seconds
        self._active = 0
        self._changed = threading.Condition()

    @contextmanager
    def reply(self) -> Iterator[None]:
        """Around work a customer is waiting for."""
        with self._changed:
            self._active += 1
        try:
            yield
        finally:
            with self._changed:
                self._active -= 1
                self._changed.notify_all()

    def yield_to_replies(self) -> None:
        """Called by background work between steps: wait (bounded) until no reply is being worked on."""
        with self._changed:
            self._changed.wait_for(lambda: self._active == 0, timeout=self.max_pause_seconds)
