"""Auto-reply jobs: answering a chat when its debounce window closes."""

from app.autoreply.handler import answer_chat
from app.jobs.registry import JobContext, job_handler


@job_handler("autoreply.answer", max_attempts=3, base_delay_seconds=2)
def answer_when_quiet(context: JobContext, payload: dict) -> None:
    answer_chat(context.session, context.services, payload["session_id"], payload["chat_id"])
