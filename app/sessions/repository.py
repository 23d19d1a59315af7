from app.repository import AccountScopedRepository
from app.sessions.models import WhatsAppSession


class SessionRepository(AccountScopedRepository[WhatsAppSession]):
    model = WhatsAppSession
    not_found_detail = "Session not found"

    def list(self) -> list[WhatsAppSession]:
        return list(self.session.exec(self.select().order_by(WhatsAppSession.created_at)))
