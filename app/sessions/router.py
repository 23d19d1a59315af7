from fastapi import APIRouter, status

from app.accounts.plans import PlanLimitReached
from app.deps import RequireScope, RequireStreamScope, ServicesDep, SessionDep
from app.errors import NotFound, error_responses
from app.gateways.base import GatewayError, GatewayTimeout, NoQrCode
from app.gateways.registry import UnknownGateway
from app.net import UnsafeUrl
from app.sessions import service
from app.sessions.service import SessionRefTaken
from app.sessions.schemas import (QrCodePublic, SessionCreate, SessionPublic, SessionSettings,
                                  SessionSettingsPublic, SessionUpdate)
from app.sse import StreamSeconds, poll_events, sse_response

router = APIRouter(prefix="/sessions", tags=["Sessions"])
SessionsRead = RequireScope("sessions:read")
SessionsWrite = RequireScope("sessions:write")
SessionsStream = RequireStreamScope("sessions:read")
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


@router.post("/{session_id}/start", response_model=SessionPublic,
             responses=error_responses(NotFound, *GATEWAY_ERRORS))
def start_session(session_id: str, principal: SessionsWrite, services: ServicesDep):
    """Start a stopped session (a WAHA session then shows its QR code)."""
    return service.start_session(services, principal.account_id, session_id)


@router.post("/{session_id}/logout", response_model=SessionPublic,
             responses=error_responses(NotFound, *GATEWAY_ERRORS))
def logout_session(session_id: str, principal: SessionsWrite, services: ServicesDep):
    """Stop the session and forget its paired number; start it again to pair a phone."""
    return service.logout_session(services, principal.account_id, session_id)


@router.get("/{session_id}/events", responses={**error_responses(NotFound),
                                               200: {"content": {"text/event-stream": {}}}})
def session_events(session_id: str, principal: SessionsStream, services: ServicesDep,
                   timeout: StreamSeconds = 300):
    """Server-Sent Events: `session.status` now and at every change of status or number."""
    def read():
        return service.session_state(services, principal.account_id, session_id)

    if read() is None:
        raise NotFound("Session not found")  # before the stream starts
    return sse_response(poll_events(read, name="session.status", seconds=timeout))


@router.patch("/{session_id}/settings", response_model=SessionSettingsPublic, responses=error_responses(NotFound))
def update_settings(session_id: str, body: SessionSettings, principal: SessionsWrite, session: SessionDep):
    """Per-session settings (MoltFlow's shape): chats_enabled; auto_transcribe only false."""
    return SessionSettingsPublic(config=service.update_settings(session, principal.account_id, session_id, body))


@router.delete("/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_session(session_id: str, principal: SessionsWrite, services: ServicesDep) -> None:
    """Delete a session and its messages."""
    service.delete_session(services, principal.account_id, session_id)
