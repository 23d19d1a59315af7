from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.net import UnsafeUrl
from app.scheduled import service
from app.scheduled.schemas import RunPage, ScheduledChanges, ScheduledCreate, ScheduledPublic, ScheduledStatus
from app.scheduled.service import AlreadyFinished

router = APIRouter(prefix="/scheduled-messages", tags=["Scheduled messages"])
ScheduledRead = RequireScope("scheduled:read")
ScheduledWrite = RequireScope("scheduled:write")


@router.get("", response_model=list[ScheduledPublic])
def list_scheduled(principal: ScheduledRead, session: SessionDep, status: ScheduledStatus | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0):
    """List scheduled messages, newest first."""
    rows = service.list_scheduled(session, principal.account_id, status=status, limit=limit, offset=offset)
    return [service.to_public(row) for row in rows]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ScheduledPublic,
             responses=error_responses(NotFound, UnsafeUrl))
def create_scheduled(body: ScheduledCreate, principal: ScheduledWrite, session: SessionDep, services: ServicesDep):
    """Create a scheduled message to a phone or a custom group, once or on a cron schedule."""
    return service.to_public(service.create_scheduled(session, services.settings, principal.account_id, body))


@router.get("/{scheduled_id}", response_model=ScheduledPublic, responses=error_responses(NotFound))
def get_scheduled(scheduled_id: str, principal: ScheduledRead, session: SessionDep):
    """Get scheduled message details."""
    return service.to_public(service.get_scheduled(session, principal.account_id, scheduled_id))


@router.patch("/{scheduled_id}", response_model=ScheduledPublic,
              responses=error_responses(NotFound, AlreadyFinished, Unprocessable, UnsafeUrl))
def update_scheduled(scheduled_id: str, body: ScheduledChanges, principal: ScheduledWrite, session: SessionDep,
                     services: ServicesDep):
    """Change a message that has yet to fire; only the fields sent change, and its next run is computed again."""
    row = service.update_scheduled(session, services.settings, principal.account_id, scheduled_id, body)
    return service.to_public(row)


@router.post("/{scheduled_id}/pause", response_model=ScheduledPublic,
             responses=error_responses(NotFound, AlreadyFinished))
def pause_scheduled(scheduled_id: str, principal: ScheduledWrite, session: SessionDep):
    """Hold a scheduled message until resumed."""
    return service.to_public(service.pause_scheduled(session, principal.account_id, scheduled_id))


@router.post("/{scheduled_id}/resume", response_model=ScheduledPublic,
             responses=error_responses(NotFound, AlreadyFinished))
def resume_scheduled(scheduled_id: str, principal: ScheduledWrite, session: SessionDep):
    """Let a paused message fire again (times missed meanwhile are not replayed)."""
    return service.to_public(service.resume_scheduled(session, principal.account_id, scheduled_id))


@router.post("/{scheduled_id}/cancel", response_model=ScheduledPublic,
             responses=error_responses(NotFound, AlreadyFinished))
def cancel_scheduled(scheduled_id: str, principal: ScheduledWrite, session: SessionDep):
    """Cancel a scheduled message; it stays listed with status `cancelled`."""
    return service.to_public(service.cancel_scheduled(session, principal.account_id, scheduled_id))


@router.delete("/{scheduled_id}", response_model=ScheduledPublic,
               responses={**error_responses(NotFound), 204: {"description": "A finished message was deleted"}})
def delete_scheduled(scheduled_id: str, principal: ScheduledWrite, session: SessionDep):
    """Cancel a message still to fire (200 with it, `cancelled`); delete one already finished (204)."""
    row = service.delete_scheduled(session, principal.account_id, scheduled_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT) if row is None else service.to_public(row)


@router.get("/{scheduled_id}/history", response_model=RunPage, responses=error_responses(NotFound))
def scheduled_history(scheduled_id: str, principal: ScheduledRead, session: SessionDep,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0):
    """What each run sent, to whom, and how it went; newest first."""
    return service.history(session, principal.account_id, scheduled_id, limit=limit, offset=offset)
