"""Ingestion gives way to replies between embedding batches, for a bounded time."""

import threading
import time

from app.jobs.priority import Foreground


def test_ingestion_waits_while_a_reply_is_worked_on_and_goes_on_when_it_ends():
    priority = Foreground(max_pause_seconds=10)
    started, resumed = threading.Event(), []

    def reply():
        with priority.running():
            started.set()
            time.sleep(0.3)

    threading.Thread(target=reply).start()
    started.wait(5)
    before = time.monotonic()
    priority.give_way()
    resumed.append(time.monotonic() - before)
    assert 0.2 <= resumed[0] < 5  # it waited for the reply, not for the whole pause


def test_a_steady_stream_of_replies_only_slows_ingestion_down():
    priority = Foreground(max_pause_seconds=0.2)
    with priority.running():
        before = time.monotonic()
        priority.give_way()
        assert 0.15 <= time.monotonic() - before < 2


def test_no_reply_no_wait():
    before = time.monotonic()
    Foreground(max_pause_seconds=10).give_way()
    assert time.monotonic() - before < 0.1
