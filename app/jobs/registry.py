"""Job handlers by name ("domain.event") and periodic tasks, registered by each domain's tasks.py."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.state import Services

# Lanes have worker slots of their own (REPLYBASE_WORKER_SLOTS): a lane full of slow work never delays another.
REPLIES, OUTREACH, INGEST = "replies", "outreach", "ingest"
LANES = (REPLIES, OUTREACH, INGEST)


@dataclass(frozen=True)
class JobContext:
    session: Session
    services: Services
    attempt: int


JobHandler = Callable[[JobContext, dict], None]
# Called once when a job is given up (out of attempts, or its worker died on the last one), to settle its subject.
GiveUpHandler = Callable[[Services, dict, str], None]
PeriodicTask = Callable[[Services], int]


@dataclass(frozen=True)
class HandlerSpec:
    handler: JobHandler
    lane: str
    max_attempts: int
    base_delay_seconds: float
    max_delay_seconds: float
    on_give_up: GiveUpHandler | None = None


@dataclass(frozen=True)
class PeriodicSpec:
    task: PeriodicTask
    lane: str
    every_seconds: float


HANDLERS: dict[str, HandlerSpec] = {}
PERIODIC: dict[str, PeriodicSpec] = {}


def job_handler(kind: str, *, lane: str, max_attempts: int = 5, base_delay_seconds: float = 2.0,
                max_delay_seconds: float = 3600.0,
                on_give_up: GiveUpHandler | None = None) -> Callable[[JobHandler], JobHandler]:
    """Register `handler` for jobs of `kind` in `lane`; it runs in its own transaction, committed when it returns."""
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}; one of {LANES}")

    def register(handler: JobHandler) -> JobHandler:
        HANDLERS[kind] = HandlerSpec(handler, lane, max_attempts, base_delay_seconds, max_delay_seconds, on_give_up)
        return handler

    return register


def periodic_task(name: str, *, lane: str, every_seconds: float) -> Callable[[PeriodicTask], PeriodicTask]:
    """Register a task each worker process runs every `every_seconds` (it must be safe to run in several at once:
    claim with a compare-and-set); it returns how much work it did."""

    def register(task: PeriodicTask) -> PeriodicTask:
        PERIODIC[name] = PeriodicSpec(task, lane, every_seconds)
        return task

    return register
