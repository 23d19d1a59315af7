"""Logging for the API and the worker: text or JSON lines, with the id of the request or job on every line.

The id lives in a context variable: RequestContextMiddleware binds the request id for the whole request (thread-pool
endpoints and dependencies inherit it), the worker binds `job-<id>` around each job. A log record factory copies it
into `record.request_id`, so any handler or format can use `%(request_id)s`, including one the operator configured.
Customer phone numbers and message text are logged at DEBUG only.
"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from app.config import Settings

CONTEXT_FIELD = "request_id"
NO_CONTEXT = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = ["levelname", "name", CONTEXT_FIELD, "message"]
ACCESS_LOGGER = "replybase.access"
# Loggers whose INFO lines would print URLs carrying phone numbers or secrets: uvicorn's access log prints the raw
# path (/messages/chats/15551234567), httpx (and httpx2, under the openai client) every outgoing URL (a webhook URL
# may hold a token). Our own access line (ACCESS_LOGGER) prints the route template instead.
QUIETED_AT_INFO = ("uvicorn.access", "httpx", "httpcore", "httpx2", "httpcore2")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

_context_id: ContextVar[str] = ContextVar("replybase_log_context", default=NO_CONTEXT)


@contextmanager
def log_context(context_id: str) -> Iterator[None]:
    """Every log line emitted inside carries `context_id` (a request id, or `job-<id>` in the worker)."""
    token = _context_id.set(context_id)
    try:
        yield
    finally:
        _context_id.reset(token)


def job_log_context(job_id: int | str):
    """`with job_log_context(job.id):` around one job, so its lines read `job-<id>` where requests put theirs."""
    return log_context(f"job-{job_id}")


def install_context_field() -> None:
    """Add `request_id` to every log record from now on (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_context_field", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        setattr(record, CONTEXT_FIELD, _context_id.get())
        return record

    factory.adds_context_field = True
    logging.setLogRecordFactory(factory)


def _formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        # uvicorn passes a `color_message` extra meant for terminals; it would duplicate `message`.
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"}, timestamp="time",
                             reserved_attrs=[*RESERVED_ATTRS, "color_message"])
    return logging.Formatter(TEXT_FORMAT, defaults={CONTEXT_FIELD: NO_CONTEXT})


def configure_logging(settings: Settings, *, force: bool = False, stream: IO[str] | None = None) -> bool:
    """One handler (stderr unless `stream`) on the root logger with REPLYBASE_LOG_LEVEL and REPLYBASE_LOG_FORMAT,
    uvicorn's loggers routed through it. False when logging was set up already (by an earlier call, a test runner or
    the operator's own config) and `force` is not given: then only the `request_id` field is added."""
    install_context_field()
    root = logging.getLogger()
    if root.handlers and not force:
        return False
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_formatter(settings.log_format))
    root.handlers = [handler]
    root.setLevel(settings.log_level)
    for name in UVICORN_LOGGERS:  # uvicorn's default config gives them handlers of their own; use ours instead
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
        uvicorn_logger.setLevel(logging.NOTSET)
    quiet = logging.WARNING if root.level > logging.DEBUG else logging.NOTSET
    for name in QUIETED_AT_INFO:
        logging.getLogger(name).setLevel(quiet)
    return True
