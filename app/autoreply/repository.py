from datetime import datetime

from sqlmodel import col, func, select, update

from app.autoreply.models import AutoReplySettings, ChatState, Reply
from app.common import utcnow
from app.messages.models import Message
from app.repository import AccountScopedRepository

# Outbound messages Replybase itself sent; any other outbound message was written by a person on the business's
# phone (stored with the gateway's name as origin), and only those mean a person has taken over the chat.
SENT_BY_REPLYBASE = ("autoreply", "api", "bulk", "scheduled")


class AutoReplySettingsRepository(AccountScopedRepository[AutoReplySettings]):
    model = AutoReplySettings

    def get(self, session_id: str) -> AutoReplySettings | None:
        return self.session.exec(self.select().where(AutoReplySettings.session_id == session_id)).first()


class ChatStateRepository(AccountScopedRepository[ChatState]):
    model = ChatState

    def get_or_create(self, session_id: str, chat_id: str) -> ChatState:
        state = self.session.exec(self.select().where(ChatState.session_id == session_id,
                                                      ChatState.chat_id == chat_id)).first()
        if state is None:
            state = self.add(ChatState(session_id=session_id, chat_id=chat_id, account_id=self.account_id))
        return state


class ReplyRepository(AccountScopedRepository[Reply]):
    model = Reply
    not_found_detail = "Reply not found"

    def pending_in_chat(self, session_id: str, chat_id: str) -> list[Reply]:
        return list(self.session.exec(self.select().where(
            Reply.session_id == session_id, Reply.chat_id == chat_id, Reply.status == "pending")
            .order_by(Reply.created_at, Reply.id)))

    def claim_pending(self, reply_id: str) -> bool:
        """Move one pending reply to `working`; of several workers racing for it, exactly one wins."""
        claimed = self.session.execute(update(Reply).where(Reply.id == reply_id, Reply.status == "pending")
                                       .values(status="working", updated_at=utcnow()))
        return claimed.rowcount == 1

    def count_since(self, session_id: str, chat_id: str, statuses: tuple[str, ...], since: datetime,
                    reason: str | None = None) -> int:
        statement = select(func.count()).select_from(Reply).where(
            Reply.account_id == self.account_id, Reply.session_id == session_id, Reply.chat_id == chat_id,
            col(Reply.status).in_(statuses), Reply.created_at >= since)
        if reason is not None:
            statement = statement.where(Reply.reason == reason)
        return int(self.session.exec(statement).one())

    def page(self, *, session_id: str | None, chat_id: str | None, status: str | None, limit: int,
             offset: int) -> tuple[list[Reply], int]:
        statement = self.select()
        for column, value in ((Reply.session_id, session_id), (Reply.chat_id, chat_id), (Reply.status, status)):
            if value:
                statement = statement.where(column == value)
        total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
        rows = self.session.exec(statement.order_by(col(Reply.created_at).desc(), Reply.id)
                                 .limit(limit).offset(offset)).all()
        return list(rows), int(total)


class ConversationRepository(AccountScopedRepository[Message]):
    """The chat history the bot reads: what was said, by whom, and who started the chat."""

    model = Message

    def recent(self, session_id: str, chat_id: str, before: datetime, limit: int) -> list[Message]:
        rows = self.session.exec(self.select().where(
            Message.session_id == session_id, Message.chat_id == chat_id, Message.timestamp < before)
            .order_by(col(Message.timestamp).desc(), col(Message.created_at).desc()).limit(limit)).all()
        return list(reversed(rows))

    def first(self, session_id: str, chat_id: str) -> Message | None:
        return self.session.exec(self.select().where(Message.session_id == session_id, Message.chat_id == chat_id)
                                 .order_by(Message.timestamp, Message.created_at)).first()

    def last_human_reply_at(self, session_id: str, chat_id: str) -> datetime | None:
        """When a person last wrote in this chat from the business's WhatsApp (not a send of Replybase's own:
        auto-replies, bulk, scheduled and API messages do not count)."""
        return self.session.exec(select(func.max(Message.timestamp)).where(
            Message.account_id == self.account_id, Message.session_id == session_id, Message.chat_id == chat_id,
            Message.direction == "out", col(Message.origin).notin_(SENT_BY_REPLYBASE))).one()
