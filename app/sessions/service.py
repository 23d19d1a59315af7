"""Session lifecycle. Flushes, never commits."""

import secrets

from sqlmodel import Session

from app.accounts.plans import require_below_limit
from app.auth.principal import Principal
from app.common import utcnow
from app.errors import Unprocessable
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.sessions.schemas import SessionCreate

GATEWAYS = ("sandbox",)


def list_sessions(session: Session, account_id: str) -> list[WhatsAppSession]:
    return SessionRepository(session, account_id).list()


def get_session(session: Session, account_id: str, session_id: str) -> WhatsAppSession:
    return SessionRepository(session, account_id).get_or_404(session_id)


def create_session(session: Session, principal: Principal, body: SessionCreate) -> WhatsAppSession:
    repository = SessionRepository(session, principal.account_id)
    if body.gateway not in GATEWAYS:
        raise Unprocessable(f"unknown gateway {body.gateway!r}; available: {', '.join(GATEWAYS)}")
    require_below_limit(principal.plan, "sessions", repository.count())
    wa_session = WhatsAppSession(account_id=principal.account_id, name=body.name, gateway=body.gateway,
                                 phone_number=body.phone_number or "1555" + f"{secrets.randbelow(10**7):07d}",
                                 chats_enabled=body.chats_enabled, config=body.config, status="working")
    return repository.add(wa_session)


def set_status(session: Session, account_id: str, session_id: str, status: str) -> WhatsAppSession:
    wa_session = get_session(session, account_id, session_id)
    wa_session.status = status
    wa_session.updated_at = utcnow()
    session.add(wa_session)
    session.flush()
    return wa_session


def delete_session(session: Session, account_id: str, session_id: str) -> None:
    repository = SessionRepository(session, account_id)
    repository.delete(repository.get_or_404(session_id))
