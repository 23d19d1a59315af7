"""Background work for messages."""

import logging

from app.autoreply.handler import handle_inbound
from app.jobs.registry import OUTREACH, REPLIES, JobContext, job_handler, periodic_task
from app.messages.models import Message
from app.messages.reconcile import reconcile_sends
from app.state import Services

logger = logging.getLogger("replybase.messages")


@job_handler("messages.received", lane=REPLIES)
def on_message_received(ctx: JobContext, payload: dict) -> None:
    """Runs once per new inbound message, after it is committed; the AI auto-reply hooks in here."""
    message = ctx.session.get(Message, payload["message_id"])
    if message is None:
        return  # its session was deleted in the meantime
    logger.debug("message %s received on session %s from %s", message.id, message.session_id, message.phone)
    ctx.session.commit()  # the handler runs its own short transactions around retrieval, drafting and sending
    handle_inbound(ctx.services, message)


@periodic_task("messages.reconcile_sends", lane=OUTREACH, every_seconds=5.0)
def reconcile_interrupted_sends(services: Services) -> int:
    """Settle sends a crash interrupted (see app/messages/reconcile.py)."""
    return reconcile_sends(services)
