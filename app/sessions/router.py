from fastapi import APIRouter, status

from app.accounts.plans import PlanLimitReached
from app.deps import RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, error_responses
from app.gateways.base import GatewayError, GatewayTimeout, NoQrCode
from app.gateways.registry import UnknownGateway
from app.net import UnsafeUrl
from app.sessions import service
from app.sessions.service import SessionRefTaken
from app.sessions.schemas import QrCodePublic, SessionCreate, SessionPublic, SessionUpdate

router = APIRouter(prefix="/sessions", tags=["Sessions"])
SessionsRead = RequireScope("sessions:read")
SessionsWrite = RequireScope("sessions:write")
GATEWAY_ERRORS = (GatewayError, GatewayTimeout)


@router.get("", response_model=list[SessionPublic])
def list_sessions(principal: SessionsRead, session: SessionDep):
    """List all sessions."""
    return service.list_sessions(session, principal.account_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionPublic,
             responses=error_responses(PlanLimitReached, UnknownGateway, SessionRefTaken, UnsafeUrl, *GATEWAY_ERRORS))
def create_session(body: SessionCreate, principal: SessionsWrite, services: ServicesDep):
    """Create a new session on a gateway (sandbox by default, waha or meta)."""
    return service.create_session(services, principal, body)


@router.get("/{session_id}", response_model=SessionPublic, responses=error_responses(NotFound))
def get_session(session_id: str, principal: SessionsRead, services: ServicesDep):
    """Get session details, with the status its gateway reports now."""
    return service.refresh_session(services, principal.account_id, session_id)


@router.patch("/{session_id}", response_model=SessionPublic, responses=error_responses(NotFound))
def update_session(session_id: str, body: SessionUpdate, principal: SessionsWrite, session: SessionDep):
    """Rename a session or turn its chats on or off."""
    return service.update_session(session, principal.account_id, session_id, body)


@router.get("/{session_id}/qr", response_model=QrCodePublic,
            responses=error_responses(NotFound, NoQrCode, *GATEWAY_ERRORS))
def get_qr(session_id: str, principal: SessionsRead, services: ServicesDep):
    """The QR code to scan with WhatsApp to connect the session."""
    wa_session, qr = service.get_qr(services, principal.account_id, session_id)
    return QrCodePublic(session_id=wa_session.id, status=wa_session.status, mimetype=qr.mimetype, data=qr.data)


@router.post("/{session_id}/restart", response_model=SessionPublic,
             responses=error_responses(NotFound, *GATEWAY_ERRORS))
def restart_session(session_id: str, principal: SessionsWrite, services: ServicesDep):
    """Restart a failed or stopped session."""
    return service.restart_session(services, principal.account_id, session_id)


@router.post("/{session_id}/stop", response_model=SessionPublic,
             responses=error_responses(NotFound, *GATEWAY_ERRORS))
def stop_session(session_id: str, principal: SessionsWrite, services: ServicesDep):
    """Stop a running session."""
    return service.stop_session(services, principal.account_id, session_id)


@router.delete("/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_session(session_id: str, principal: SessionsWrite, services: ServicesDep) -> None:
    """Delete a session and its messages."""
    service.delete_session(services, principal.account_id, session_id)
