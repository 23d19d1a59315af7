"""Session lifecycle over the session's gateway.

Calls to a gateway run with no transaction open: read (commit), call, record the outcome in a short write."""

import logging

from sqlmodel import Session

from app.accounts.plans import require_below_limit
from app.auth.principal import Principal
from app.common import utcnow
from app.db import unit_of_work
from app.errors import Conflict, ReplybaseError
from app.gateways.base import GatewayState, QrCode
from app.gateways.registry import get_gateway
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository, find_by_gateway_ref, gateway_ref
from app.sessions.schemas import SessionCreate, SessionUpdate
from app.state import Services
from app.webhooks.service import emit_event

logger = logging.getLogger("replybase.sessions")


class SessionRefTaken(Conflict):
    detail = "Another session already uses this gateway session"


def list_sessions(session: Session, account_id: str) -> list[WhatsAppSession]:
    return SessionRepository(session, account_id).list()


def get_session(session: Session, account_id: str, session_id: str) -> WhatsAppSession:
    return SessionRepository(session, account_id).get_or_404(session_id)


def apply_gateway_status(session: Session, wa_session: WhatsAppSession, status: str,
                         phone_number: str | None = None) -> WhatsAppSession:
    """Store a status the gateway reported; a change is announced as a session.status event."""
    previous = wa_session.status
    wa_session.status = status
    wa_session.phone_number = phone_number or wa_session.phone_number
    wa_session.updated_at = utcnow()
    session.add(wa_session)
    session.flush()
    if status != previous:
        emit_event(session, wa_session.account_id, "session.status",
                   {"id": wa_session.id, "name": wa_session.name, "gateway": wa_session.gateway,
                    "status": status, "previous_status": previous, "phone_number": wa_session.phone_number})
    return wa_session


def _record_state(services: Services, account_id: str, session_id: str, state: GatewayState,
                  config: dict | None = None) -> WhatsAppSession:
    """Store what the gateway said, in a short write of its own (the session may have been deleted meanwhile).

    `config`: the session's config as the gateway call left it (WAHA's start() adds an own server's webhook key)."""
    with unit_of_work(services.session_factory) as session:
        wa_session = get_session(session, account_id, session_id)
        if config is not None and config != wa_session.config:
            wa_session.config = config
        return apply_gateway_status(session, wa_session, state.status, state.phone_number)


def _read(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    with unit_of_work(services.session_factory, read_only=True) as session:
        return get_session(session, account_id, session_id)


def default_gateway(settings) -> str:
    """Without a `gateway` in the request: the sandbox while it is on, else the operator's WAHA server."""
    return "sandbox" if settings.sandbox else "waha"


def create_session(services: Services, principal: Principal, body: SessionCreate) -> WhatsAppSession:
    """Create a session on its gateway; a gateway that cannot be reached is a 502/504 and nothing is kept.

    The row is stored (stopped) before the gateway is called, so the name is taken while the call runs, and
    removed again if the gateway refuses."""
    gateway_name = body.gateway or default_gateway(services.settings)
    gateway = get_gateway(services, gateway_name)
    with unit_of_work(services.session_factory) as session:
        repository = SessionRepository(session, principal.account_id)
        require_below_limit(principal.plan, "sessions", repository.count(), principal.account_id)
        wa_session = WhatsAppSession(account_id=principal.account_id, name=body.name, gateway=gateway_name,
                                     phone_number=body.phone_number, chats_enabled=body.chats_enabled,
                                     config=dict(body.config), status="stopped")
        ref = gateway_ref(wa_session)
        if ref is not None and find_by_gateway_ref(session, wa_session.gateway, ref) is not None:
            # Callbacks find their session by this name: two sessions sharing it would receive each other's
            # messages.
            raise SessionRefTaken(f"Another session already uses {wa_session.gateway} session {ref!r}; "
                                  "choose another name, or use that session")
        repository.add(wa_session)
    try:
        state = gateway.start(wa_session)
    except BaseException:
        with unit_of_work(services.session_factory) as session:
            SessionRepository(session, principal.account_id).delete(get_session(session, principal.account_id,
                                                                                 wa_session.id))
        raise
    return _record_state(services, principal.account_id, wa_session.id, state, config=wa_session.config)


def refresh_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    """The session with its status as the gateway sees it now; the stored one when the gateway is unreachable."""
    wa_session = _read(services, account_id, session_id)
    try:
        state = get_gateway(services, wa_session.gateway).status(wa_session)
    except ReplybaseError as exc:
        logger.warning("session %s: status check failed: %s", wa_session.id, exc.detail)
        return wa_session
    if (state.status, state.phone_number or wa_session.phone_number) == (wa_session.status, wa_session.phone_number):
        return wa_session  # nothing changed: no write
    return _record_state(services, account_id, session_id, state)


def _lifecycle(services: Services, account_id: str, session_id: str, action: str) -> WhatsAppSession:
    wa_session = _read(services, account_id, session_id)
    gateway = get_gateway(services, wa_session.gateway)
    try:
        state: GatewayState = getattr(gateway, action)(wa_session)
    except ReplybaseError:
        # The gateway failed: remember the session as failed, even though the request errors.
        _record_state(services, account_id, session_id, GatewayState("failed"), config=wa_session.config)
        raise
    return _record_state(services, account_id, session_id, state, config=wa_session.config)


def restart_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    return _lifecycle(services, account_id, session_id, "restart")


def start_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    """Start a stopped session (the gateway's start is harmless on one already running)."""
    return _lifecycle(services, account_id, session_id, "start")


def logout_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    """Stop the session and forget the number it was paired with; start it again to pair a phone."""
    _lifecycle(services, account_id, session_id, "stop")
    with unit_of_work(services.session_factory) as session:
        wa_session = get_session(session, account_id, session_id)
        wa_session.phone_number, wa_session.updated_at = None, utcnow()
        session.add(wa_session)
        session.flush()
        return wa_session


def stop_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    return _lifecycle(services, account_id, session_id, "stop")


def update_session(session: Session, account_id: str, session_id: str, body: SessionUpdate) -> WhatsAppSession:
    wa_session = get_session(session, account_id, session_id)
    for field, value in body.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(wa_session, field, value)
    wa_session.updated_at = utcnow()
    session.add(wa_session)
    session.flush()
    return wa_session


def session_state(services: Services, account_id: str, session_id: str) -> dict | None:
    """The stored status, as the events stream sends it; None once the session is deleted."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        row = SessionRepository(session, account_id).get(session_id)
        return None if row is None else {"session_id": row.id, "status": row.status,
                                         "phone_number": row.phone_number}


def update_settings(session: Session, account_id: str, session_id: str, body) -> dict:
    """MoltFlow's settings view of a session: only the fields sent change."""
    wa_session = get_session(session, account_id, session_id)
    if body.chats_enabled is not None:
        wa_session.chats_enabled, wa_session.updated_at = body.chats_enabled, utcnow()
        session.add(wa_session)
        session.flush()
    return {"chats_enabled": wa_session.chats_enabled, "auto_transcribe": False}


def get_qr(services: Services, account_id: str, session_id: str) -> tuple[WhatsAppSession, QrCode]:
    wa_session = _read(services, account_id, session_id)
    return wa_session, get_gateway(services, wa_session.gateway).qr(wa_session)


def delete_session(services: Services, account_id: str, session_id: str) -> None:
    """Delete the session and its messages; a gateway that cannot be told is logged, not fatal."""
    wa_session = _read(services, account_id, session_id)
    try:
        get_gateway(services, wa_session.gateway).delete(wa_session)
    except ReplybaseError as exc:
        logger.warning("session %s deleted here but not on its gateway: %s", wa_session.id, exc.detail)
    with unit_of_work(services.session_factory) as session:
        repository = SessionRepository(session, account_id)
        repository.delete(repository.get_or_404(session_id))
