from sqlmodel import Session, select

from app.gateways.waha import waha_session_name
from app.repository import AccountScopedRepository
from app.sessions.models import WhatsAppSession


class SessionRepository(AccountScopedRepository[WhatsAppSession]):
    model = WhatsAppSession
    not_found_detail = "Session not found"

    def list(self) -> list[WhatsAppSession]:
        return list(self.session.exec(self.select().order_by(WhatsAppSession.created_at)))


def find_by_gateway_ref(session: Session, gateway: str, ref: str) -> WhatsAppSession | None:
    """The session a gateway callback names (WAHA session name, Meta phone number id), in any account.

    Not account-scoped on purpose: a gateway callback carries no API key, the signature authenticates it, and the
    session it names is what tells us the account.
    """
    for wa_session in session.exec(select(WhatsAppSession).where(WhatsAppSession.gateway == gateway)):
        if gateway_ref(wa_session) == ref:
            return wa_session
    return None


def gateway_ref(wa_session: WhatsAppSession) -> str | None:
    """How the session's gateway names it in callbacks; unique across accounts (see create_session)."""
    if wa_session.gateway == "waha":
        return waha_session_name(wa_session)
    if wa_session.gateway == "meta":
        return str(wa_session.config.get("phone_number_id"))
    return None
