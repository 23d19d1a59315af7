from sqlmodel import col, or_

from app.messages.models import Message
from app.repository import AccountScopedRepository
from app.styles.models import StyleProfile


class StyleProfileRepository(AccountScopedRepository[StyleProfile]):
    model = StyleProfile
    not_found_detail = "Style profile not found"

    def list(self) -> list[StyleProfile]:
        return list(self.session.exec(self.select().order_by(StyleProfile.created_at, StyleProfile.id)))

    def get_by_name(self, name: str) -> StyleProfile | None:
        return self.session.exec(self.select().where(StyleProfile.name == name)).first()

    def scoped(self, session_id: str | None, wa_chat_id: str | None) -> StyleProfile | None:
        """The profile made for exactly this scope (both None: a general one), the latest changed first."""
        statement = self.select().where(col(StyleProfile.session_id).is_(None) if session_id is None
                                        else StyleProfile.session_id == session_id,
                                        col(StyleProfile.wa_chat_id).is_(None) if wa_chat_id is None
                                        else StyleProfile.wa_chat_id == wa_chat_id)
        return self.session.exec(statement.order_by(StyleProfile.updated_at.desc(), StyleProfile.id)).first()

    def for_chat(self, wa_chat_id: str, session_id: str | None) -> StyleProfile | None:
        """A chat's profile: made in this session first, then in none; any session's when none is named."""
        statement = self.select().where(StyleProfile.wa_chat_id == wa_chat_id)
        if session_id is not None:
            statement = statement.where(or_(StyleProfile.session_id == session_id,
                                            col(StyleProfile.session_id).is_(None)))
        order = (col(StyleProfile.session_id).is_(None), StyleProfile.updated_at.desc(), StyleProfile.id)
        return self.session.exec(statement.order_by(*order)).first()


class SentMessageRepository(AccountScopedRepository[Message]):
    """The business's own sent messages, the material a style is learned from."""

    model = Message

    def texts_sent_by_people(self, session_id: str | None, limit: int, chat_id: str | None = None) -> list[str]:
        """Newest first, from one session (or all) and one chat (or all); the bot's own replies are left out, so
        a profile never learns from itself."""
        statement = self.select().where(Message.direction == "out", Message.origin != "autoreply",
                                        Message.text != "", col(Message.status) != "failed")
        if session_id is not None:
            statement = statement.where(Message.session_id == session_id)
        if chat_id is not None:
            statement = statement.where(Message.chat_id == chat_id)
        rows = self.session.exec(statement.order_by(Message.timestamp.desc(), Message.id).limit(limit))
        return [row.text for row in rows]
