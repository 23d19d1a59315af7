from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import Offset, RequireScope, RowId, SessionDep
from app.errors import NotFound, error_responses
from app.jobs import service
from app.jobs.schemas import JobPage, JobPublic, JobStatus
from app.jobs.service import JobNotFailed

router = APIRouter(prefix="/jobs", tags=["Background jobs"])
JobsRead = RequireScope("jobs:read")
JobsWrite = RequireScope("jobs:write")


@router.get("", response_model=JobPage)
def list_jobs(principal: JobsRead, session: SessionDep, status: JobStatus | None = None,
              kind: Annotated[str | None, Query(max_length=100)] = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Offset = 0):
    """Background work done for your account, newest first; `?status=failed` shows what went wrong."""
    items, total = service.list_jobs(session, principal.account_id, status=status, kind=kind, limit=limit,
                                     offset=offset)
    return JobPage(items=items, total=total, limit=limit, offset=offset)


@router.post("/{job_id}/retry", response_model=JobPublic, responses=error_responses(NotFound, JobNotFailed))
def retry_job(job_id: RowId, principal: JobsWrite, session: SessionDep):
    """Run a failed job again, with a fresh set of attempts."""
    return service.retry_job(session, principal.account_id, job_id)
