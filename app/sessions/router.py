from fastapi import APIRouter, status

from app.deps import RequireScope, SessionDep
from app.errors import Forbidden, NotFound, error_responses
from app.sessions import service
from app.sessions.schemas import SessionCreate, SessionPublic

router = APIRouter(prefix="/sessions", tags=["Sessions"])
SessionsRead = RequireScope("sessions:read")
SessionsWrite = RequireScope("sessions:write")


@router.get("", response_model=list[SessionPublic])
def list_sessions(principal: SessionsRead, session: SessionDep):
    """List all sessions."""
    return service.list_sessions(session, principal.account_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionPublic,
             responses=error_responses(Forbidden))
def create_session(body: SessionCreate, principal: SessionsWrite, session: SessionDep):
    """Create a new session."""
    return service.create_session(session, principal, body)


@router.get("/{session_id}", response_model=SessionPublic, responses=error_responses(NotFound))
def get_session(session_id: str, principal: SessionsRead, session: SessionDep):
    """Get session details."""
    return service.get_session(session, principal.account_id, session_id)


@router.post("/{session_id}/restart", response_model=SessionPublic, responses=error_responses(NotFound))
def restart_session(session_id: str, principal: SessionsWrite, session: SessionDep):
    """Restart a failed or stopped session."""
    return service.set_status(session, principal.account_id, session_id, "working")


@router.post("/{session_id}/stop", response_model=SessionPublic, responses=error_responses(NotFound))
def stop_session(session_id: str, principal: SessionsWrite, session: SessionDep):
    """Stop a running session."""
    return service.set_status(session, principal.account_id, session_id, "stopped")


@router.delete("/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_session(session_id: str, principal: SessionsWrite, session: SessionDep) -> None:
    """Delete a session."""
    service.delete_session(session, principal.account_id, session_id)
