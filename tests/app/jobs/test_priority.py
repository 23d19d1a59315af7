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


def test_under_steady_urgent_work_background_threads_take_turns():
    priority = Foreground(max_pause_seconds=0.3)
    returned: list[tuple[float, bool]] = []
    with priority.running():
        before = time.monotonic()

        def background():
            went_on = priority.give_way()
            returned.append((time.monotonic() - before, went_on))

        threads = [threading.Thread(target=background) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
    first, second = sorted(returned)
    assert first[1] is False and second[1] is False  # both pauses ran out: urgent work never stopped
    assert first[0] < 0.55 and second[0] >= 0.55  # the second went on only after the first one's pause-free turn
