"""The reply log, and approving or rejecting drafts written in review mode. Flushes, never commits."""

from sqlmodel import Session

from app.autoreply.handler import send_reply
from app.autoreply.models import Reply
from app.autoreply.repository import ReplyRepository
from app.common import utcnow
from app.errors import Conflict
from app.state import Services
from app.webhooks.service import emit_event


class NotADraft(Conflict):
    detail = "Only a draft can be approved or rejected"


def list_replies(session: Session, account_id: str, **filters) -> tuple[list[Reply], int]:
    return ReplyRepository(session, account_id).page(**filters)


def _draft(session: Session, account_id: str, reply_id: str) -> Reply:
    reply = ReplyRepository(session, account_id).get_or_404(reply_id)
    if reply.status != "draft":
        raise NotADraft(f"This reply is {reply.status}; only a draft can be approved or rejected")
    return reply


def approve(session: Session, services: Services, account_id: str, reply_id: str, text: str | None) -> Reply:
    """Send a draft, as written or edited."""
    reply = _draft(session, account_id, reply_id)
    final_text = text or reply.reply_text or ""
    edited = final_text != reply.reply_text
    sent_message_id = send_reply(session, services, reply, final_text)
    reply.status, reply.reply_text, reply.sent_message_id = "sent", final_text, sent_message_id
    reply.reason = "approved with edits" if edited else "approved"
    reply.updated_at = utcnow()
    session.add(reply)
    session.flush()
    emit_event(session, account_id, "ai.reply.sent", {"reply_id": reply.id, "session_id": reply.session_id,
                                                       "chat_id": reply.chat_id, "reply_text": final_text})
    return reply


def reject(session: Session, account_id: str, reply_id: str) -> Reply:
    reply = _draft(session, account_id, reply_id)
    reply.status, reply.reason, reply.updated_at = "rejected", "rejected by a person", utcnow()
    session.add(reply)
    session.flush()
    return reply
