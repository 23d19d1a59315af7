"""Background work for messages."""

import logging

from app.autoreply.handler import handle_inbound
from app.jobs.registry import JobContext, job_handler
from app.messages.models import Message

logger = logging.getLogger("replybase.messages")


@job_handler("messages.received")
def on_message_received(ctx: JobContext, payload: dict) -> None:
    """Runs once per new inbound message, after it is committed; the AI auto-reply hooks in here."""
    message = ctx.session.get(Message, payload["message_id"])
    if message is None:
        return  # its session was deleted in the meantime
    logger.info("message %s received on session %s from %s", message.id, message.session_id, message.phone)
    handle_inbound(ctx.session, ctx.services, message)
