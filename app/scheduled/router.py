from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, error_responses
from app.net import UnsafeUrl
from app.scheduled import service
from app.scheduled.schemas import ScheduledCreate, ScheduledPublic, ScheduledStatus
from app.scheduled.service import AlreadyFinished

router = APIRouter(prefix="/scheduled-messages", tags=["Scheduled messages"])
ScheduledRead = RequireScope("scheduled:read")
ScheduledWrite = RequireScope("scheduled:write")


@router.get("", response_model=list[ScheduledPublic])
def list_scheduled(principal: ScheduledRead, session: SessionDep, status: ScheduledStatus | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0):
    """List scheduled messages, newest first."""
    return service.list_scheduled(session, principal.account_id, status=status, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ScheduledPublic,
             responses=error_responses(NotFound, UnsafeUrl))
def create_scheduled(body: ScheduledCreate, principal: ScheduledWrite, session: SessionDep, services: ServicesDep):
    """Create a scheduled message to a phone or a custom group, once or on a cron schedule."""
    return service.create_scheduled(session, services.settings, principal.account_id, body)


@router.get("/{scheduled_id}", response_model=ScheduledPublic, responses=error_responses(NotFound))
def get_scheduled(scheduled_id: str, principal: ScheduledRead, session: SessionDep):
    """Get scheduled message details."""
    return service.get_scheduled(session, principal.account_id, scheduled_id)


@router.delete("/{scheduled_id}", response_model=ScheduledPublic,
               responses=error_responses(NotFound, AlreadyFinished))
def cancel_scheduled(scheduled_id: str, principal: ScheduledWrite, session: SessionDep):
    """Cancel a scheduled message; it stays listed with status `cancelled`."""
    return service.cancel_scheduled(session, principal.account_id, scheduled_id)
