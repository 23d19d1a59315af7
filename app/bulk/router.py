from typing import Annotated

from fastapi import APIRouter, Query, status

from app.accounts.plans import PlanFeatureRequired
from app.bulk import service
from app.bulk.schemas import BulkCreate, BulkDetail, BulkPublic
from app.bulk.service import NothingToCancel, NotPausable, NotResumable
from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.messages.service import SessionNotWorking

router = APIRouter(prefix="/messages/bulk", tags=["Bulk messages"])
MessagesSend = RequireScope("messages:send")
MessagesRead = RequireScope("messages:read")


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=BulkPublic,
             responses=error_responses(PlanFeatureRequired, NotFound, SessionNotWorking, Unprocessable))
def create_bulk(body: BulkCreate, principal: MessagesSend, session: SessionDep, services: ServicesDep):
    """Send one message to many recipients, paced per session; returns the job to follow."""
    return service.create_bulk(session, services.settings, principal, body)


@router.get("", response_model=list[BulkPublic])
def list_bulk(principal: MessagesRead, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50,
              offset: Offset = 0):
    """List bulk jobs, newest first."""
    return service.list_bulk(session, principal.account_id, limit=limit, offset=offset)


@router.get("/{bulk_job_id}", response_model=BulkDetail, responses=error_responses(NotFound))
def get_bulk(bulk_job_id: str, principal: MessagesRead, session: SessionDep):
    """A bulk job's progress and each recipient's outcome."""
    return service.describe_bulk(session, principal.account_id, bulk_job_id)


@router.post("/{bulk_job_id}/pause", response_model=BulkPublic, responses=error_responses(NotFound, NotPausable))
def pause_bulk(bulk_job_id: str, principal: MessagesSend, session: SessionDep):
    """Hold a bulk job until resumed; recipients not yet sent to wait."""
    return service.pause_bulk(session, principal.account_id, bulk_job_id)


@router.post("/{bulk_job_id}/resume", response_model=BulkPublic, responses=error_responses(NotFound,
                                                                                          NotResumable))
def resume_bulk(bulk_job_id: str, principal: MessagesSend, session: SessionDep):
    """Carry on a bulk job you paused."""
    return service.resume_bulk(session, principal.account_id, bulk_job_id)


@router.post("/{bulk_job_id}/cancel", response_model=BulkPublic, responses=error_responses(NotFound,
                                                                                          NothingToCancel))
def cancel_bulk(bulk_job_id: str, principal: MessagesSend, session: SessionDep):
    """Cancel a bulk job; recipients already sent to are not affected."""
    return service.cancel_bulk(session, principal.account_id, bulk_job_id)
