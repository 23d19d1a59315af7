from datetime import datetime

from sqlmodel import func, select

from app.messages.models import Message
from app.repository import AccountScopedRepository
from app.sessions.models import WhatsAppSession


class MessageRepository(AccountScopedRepository[Message]):
    model = Message
    not_found_detail = "Message not found"

    def by_idempotency_key(self, key: str) -> Message | None:
        return self.session.exec(self.select().where(Message.idempotency_key == key)).first()

    def by_gateway_id(self, session_id: str, gateway_message_id: str) -> Message | None:
        return self.session.exec(self.select().where(Message.session_id == session_id,
                                                     Message.gateway_message_id == gateway_message_id)).first()

    def by_any_id(self, message_id: str) -> Message | None:
        """Ours or the gateway's id (clients keep the wamid /messages/send returned)."""
        return self.get(message_id) or self.session.exec(
            self.select().where(Message.gateway_message_id == message_id)).first()

    def last_inbound_at(self, session_id: str, phone: str) -> datetime | None:
        statement = select(func.max(Message.timestamp)).where(
            Message.account_id == self.account_id, Message.session_id == session_id, Message.phone == phone,
            Message.direction == "in")
        return self.session.exec(statement).one()

    def _chat_sessions(self):
        # Chats are opt-in per session: messages of sessions without chats never show up here.
        return select(WhatsAppSession.id).where(WhatsAppSession.account_id == self.account_id,
                                                WhatsAppSession.chats_enabled.is_(True))

    def chats(self, session_id: str | None, limit: int, offset: int) -> tuple[list[tuple], int]:
        """(session_id, chat_id, phone, last timestamp, message count) per chat, newest first, and the total.

        A group chat has messages from many phones; it is still one chat.
        """
        grouped = (select(Message.session_id, Message.chat_id, func.min(Message.phone).label("phone"),
                          func.max(Message.timestamp).label("last_at"), func.count().label("messages"))
                   .where(Message.account_id == self.account_id, Message.session_id.in_(self._chat_sessions()))
                   .group_by(Message.session_id, Message.chat_id))
        if session_id:
            grouped = grouped.where(Message.session_id == session_id)
        total = self.session.exec(select(func.count()).select_from(grouped.subquery())).one()
        rows = self.session.exec(grouped.order_by(func.max(Message.timestamp).desc(), Message.chat_id)
                                 .limit(limit).offset(offset)).all()
        return list(rows), int(total)

    def contacts(self, limit: int, offset: int) -> tuple[list[tuple], int]:
        """(phone, name, last timestamp, message count) per person written with, across sessions, newest first.

        Group chats are left out: their id is not a person."""
        grouped = (select(Message.phone, func.max(Message.name).label("name"),
                          func.max(Message.timestamp).label("last_at"), func.count().label("messages"))
                   .where(Message.account_id == self.account_id, Message.phone != "",
                          Message.chat_id.not_like("%@g.us"), Message.session_id.in_(self._chat_sessions()))
                   .group_by(Message.phone))
        total = self.session.exec(select(func.count()).select_from(grouped.subquery())).one()
        rows = self.session.exec(grouped.order_by(func.max(Message.timestamp).desc(), Message.phone)
                                 .limit(limit).offset(offset)).all()
        return list(rows), int(total)

    def wrote_before(self, message: Message) -> bool:
        """True when the author of this inbound message had already written in its chat (first messages of new
        group members are the ones without)."""
        statement = select(Message.id).where(
            Message.account_id == self.account_id, Message.session_id == message.session_id,
            Message.chat_id == message.chat_id, Message.phone == message.phone, Message.direction == "in",
            Message.id != message.id).limit(1)
        return self.session.exec(statement).first() is not None

    def last_in_chat(self, session_id: str, chat_id: str) -> Message | None:
        return self.session.exec(self.select().where(Message.session_id == session_id, Message.chat_id == chat_id)
                                 .order_by(Message.timestamp.desc(), Message.created_at.desc())).first()

    def last_name_in_chat(self, session_id: str, chat_id: str) -> str | None:
        return self.session.exec(select(Message.name).where(
            Message.account_id == self.account_id, Message.session_id == session_id, Message.chat_id == chat_id,
            Message.direction == "in", Message.name.is_not(None)).order_by(Message.timestamp.desc())).first()

    def in_chat(self, chat_id: str, session_id: str | None, limit: int, offset: int) -> tuple[list[Message], int]:
        statement = self.select().where(Message.chat_id == chat_id, Message.session_id.in_(self._chat_sessions()))
        if session_id:
            statement = statement.where(Message.session_id == session_id)
        total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
        rows = self.session.exec(statement.order_by(Message.timestamp.desc(), Message.created_at.desc())
                                 .limit(limit).offset(offset)).all()
        return list(rows), int(total)
