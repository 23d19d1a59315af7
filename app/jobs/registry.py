"""Job handlers by name ("domain.event") and periodic tasks, registered by each domain's tasks.py."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from app.state import Services


@dataclass(frozen=True)
class JobContext:
    session: Session
    services: Services
    attempt: int


JobHandler = Callable[[JobContext, dict], None]
PeriodicTask = Callable[[Services], int]


@dataclass(frozen=True)
class HandlerSpec:
    handler: JobHandler
    max_attempts: int
    base_delay_seconds: float
    max_delay_seconds: float


HANDLERS: dict[str, HandlerSpec] = {}
PERIODIC: dict[str, PeriodicTask] = {}


def job_handler(kind: str, *, max_attempts: int = 5, base_delay_seconds: float = 2.0,
                max_delay_seconds: float = 3600.0) -> Callable[[JobHandler], JobHandler]:
    """Register `handler` for jobs of `kind`; it runs in its own committed transaction."""

    def register(handler: JobHandler) -> JobHandler:
        HANDLERS[kind] = HandlerSpec(handler, max_attempts, base_delay_seconds, max_delay_seconds)
        return handler

    return register


def periodic_task(name: str) -> Callable[[PeriodicTask], PeriodicTask]:
    """Register a task the worker calls on every poll (e.g. firing due scheduled messages); returns work done."""

    def register(task: PeriodicTask) -> PeriodicTask:
        PERIODIC[name] = task
        return task

    return register
