"""Auto-reply jobs: answering a chat when its debounce window closes; settling and purging the reply log."""

from app.autoreply.handler import answer_chat, settle_interrupted_replies
from app.autoreply.models import Reply
from app.jobs.registry import REPLIES, JobContext, job_handler, periodic_task
from app.jobs.retention import PURGE_EVERY_SECONDS, purge_older_than
from app.state import Services


@job_handler("autoreply.answer", lane=REPLIES, max_attempts=3, base_delay_seconds=2)
def answer_when_quiet(context: JobContext, payload: dict) -> None:
    answer_chat(context.services, payload["session_id"], payload["chat_id"])


@periodic_task("autoreply.settle_interrupted", lane=REPLIES, every_seconds=5.0)
def settle_interrupted(services: Services) -> int:
    """Replies whose send a crash interrupted take the outcome app/messages/reconcile.py found."""
    return settle_interrupted_replies(services)


@periodic_task("autoreply.purge_old_replies", lane=REPLIES, every_seconds=PURGE_EVERY_SECONDS)
def purge_old_replies(services: Services) -> int:
    """Reply-log entries older than REPLYBASE_REPLY_LOG_RETENTION_DAYS are deleted (settled ones only)."""
    return purge_older_than(services, Reply, Reply.created_at, services.settings.reply_log_retention_days,
                            Reply.status.notin_(("pending", "working", "sending")))
