"""Group commit for writes that arrive in bursts: gateway callbacks and sandbox deliveries.

When many customers write at once, one transaction per call makes every call queue for SQLite's single writer (and
for a pool connection and a commit on PostgreSQL). Here calls that arrive while a batch is being written wait
together, and the next batch writes all of them in one transaction. If any call of a batch fails, the batch is
rolled back and each call runs again in a transaction of its own, so one call's error never fails another: `work`
must only change the database through its session. A call's answer is given only after its batch committed.
"""

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import unit_of_work

T = TypeVar("T")
# Bounds one transaction's length (and so how long it holds SQLite's writer) when a very large burst queues up.
MAX_BATCH = 64

Work = Callable[[Session], Any]


class GroupCommit:
    """Runs `work(session)` functions in shared transactions, one batch at a time per event loop."""

    def __init__(self, session_factory) -> None:
        self.session_factory = session_factory
        # Per event loop (tests may run several one after another): calls waiting for the next batch.
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list] = weakref.WeakKeyDictionary()
        self._writing: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work(session)`'s result once its batch committed; its exception if it raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()
        self._pending.setdefault(loop, []).append((work, future))
        if loop not in self._writing:
            self._writing.add(loop)
            loop.create_task(self._drain(loop))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while pending := self._pending.get(loop):
                batch, self._pending[loop] = pending[:MAX_BATCH], pending[MAX_BATCH:]
                try:
                    outcomes = await run_in_threadpool(self._write, [work for work, _ in batch])
                except BaseException as exc:  # e.g. cancelled at shutdown: no call may wait for ever
                    outcomes = [(False, exc)] * len(batch)
                for (_, future), (ok, value) in zip(batch, outcomes):
                    if future.done():  # its caller went away
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._writing.discard(loop)

    def _write(self, batch: list[Work]) -> list[tuple[bool, Any]]:
        """One transaction for the batch. Calls rarely fail (an unknown session, a bad signature), so savepoints,
        a round trip each on PostgreSQL, are used only to find out which call failed when one did."""
        if len(batch) == 1:
            return [self._write_one(batch[0])]
        try:
            with unit_of_work(self.session_factory) as session:
                return [(True, work(session)) for work in batch]
        except Exception:  # a call's own error (404, 422, ...) or the transaction's: each again, on its own
            return [self._write_one(work) for work in batch]

    def _write_one(self, work: Work) -> tuple[bool, Any]:
        try:
            with unit_of_work(self.session_factory) as session:
                return True, work(session)
        except Exception as exc:
            return False, exc
