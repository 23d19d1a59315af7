from sqlmodel import col

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


class SentMessageRepository(AccountScopedRepository[Message]):
    """The business's own sent messages, the material a style is learned from."""

    model = Message

    def texts_sent_by_people(self, session_id: str, limit: int) -> list[str]:
        """Newest first; the bot's own replies are left out, so a profile never learns from itself."""
        rows = self.session.exec(
            self.select().where(Message.session_id == session_id, Message.direction == "out",
                                Message.origin != "autoreply", Message.text != "",
                                col(Message.status) != "failed")
            .order_by(Message.timestamp.desc(), Message.id).limit(limit))
        return [row.text for row in rows]
