"""Server-Sent Events from polling: send a state when it changes, until it is final or the time is up.

Each poll reads in a short transaction of its own, so a stream never holds one open while it waits."""

import json
import time
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Query
from fastapi.responses import StreamingResponse

StreamSeconds = Annotated[float, Query(gt=0, le=3600, description="Close the stream after this many seconds "
                                                                   "(clients reconnect)")]


def event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str, separators=(',', ':'))}\n\n"


def poll_events(read: Callable[[], dict | None], *, name: str, seconds: float, interval: float = 1.0,
                final: Callable[[dict], bool] = lambda _state: False) -> Iterator[str]:
    """`read()` returns the current state, or None once the thing is gone (the stream then ends)."""
    deadline, last = time.monotonic() + seconds, None
    while True:
        state = read()
        if state is None:
            yield event("deleted", {})
            return
        if state != last:
            yield event(name, state)
            last = state
        if final(state) or time.monotonic() + interval > deadline:
            return
        time.sleep(interval)


def sse_response(events: Iterator[str]) -> StreamingResponse:
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
