"""The reply log, and approving or rejecting drafts written in review mode."""

from sqlalchemy import update
from sqlmodel import Session

from app.autoreply.handler import deliver_reply, queue_reply
from app.autoreply.models import Reply
from app.autoreply.repository import ReplyRepository
from app.common import utcnow
from app.db import unit_of_work
from app.errors import Conflict
from app.state import Services


class NotADraft(Conflict):
    detail = "Only a draft can be approved or rejected"


def list_replies(session: Session, account_id: str, **filters) -> tuple[list[Reply], int]:
    return ReplyRepository(session, account_id).page(**filters)


def _take_draft(session: Session, account_id: str, reply_id: str, status: str, reason: str) -> Reply:
    """Move a draft on (compare-and-set: of two people approving at once, one wins)."""
    reply = ReplyRepository(session, account_id).get_or_404(reply_id)
    taken = session.execute(update(Reply).where(Reply.id == reply.id, Reply.status == "draft")
                            .values(status=status, reason=reason, updated_at=utcnow()))
    if taken.rowcount != 1:
        raise NotADraft(f"This reply is {reply.status}; only a draft can be approved or rejected")
    session.refresh(reply)
    return reply


def approve(services: Services, account_id: str, reply_id: str, text: str | None) -> Reply:
    """Send a draft, as written or edited: queued with the approval, then sent with no transaction open."""
    with unit_of_work(services.session_factory) as session:
        reply = ReplyRepository(session, account_id).get_or_404(reply_id)
        final_text = text or reply.reply_text or ""
        reason = "approved with edits" if final_text != reply.reply_text else "approved"
        reply = _take_draft(session, account_id, reply_id, "sending", reason)
        reply.reply_text = final_text
        queued = queue_reply(session, reply, final_text)
    deliver_reply(services, reply.id, *queued)
    with unit_of_work(services.session_factory, read_only=True) as session:
        return session.get(Reply, reply.id)


def reject(session: Session, account_id: str, reply_id: str) -> Reply:
    return _take_draft(session, account_id, reply_id, "rejected", "rejected by a person")
