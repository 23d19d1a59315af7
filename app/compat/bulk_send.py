"""MoltFlow's bulk send (/bulk-send) over bulk messages (app/bulk): the same jobs, pacing and pause rules as
/messages/bulk, with MoltFlow's field names beside ours and a Server-Sent-Events progress stream."""

from typing import Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field, model_validator

from app.accounts.plans import PlanFeatureRequired
from app.bulk import service
from app.bulk.schemas import BulkCreate, BulkDetail, BulkPublic
from app.bulk.service import NothingToCancel, NotPausable, NotResumable
from app.db import unit_of_work
from app.deps import Offset, RequireScope, RequireStreamScope, ServicesDep, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.messages.service import SessionNotWorking
from app.schema_base import RequestBody
from app.sse import StreamSeconds, poll_events, sse_response

router = APIRouter(prefix="/bulk-send", tags=["MoltFlow: bulk send"])
MessagesSend = RequireScope("messages:send")
MessagesRead = RequireScope("messages:read")
MessagesStream = RequireStreamScope("messages:read")
STATUS = {"queued": "pending"}  # ours -> MoltFlow's; the others are the same words


class BulkSendCreate(RequestBody):
    session_id: str = Field(max_length=32)
    custom_group_id: str = Field(max_length=32)
    message_type: Literal["text", "media"] = "text"
    message_content: str | None = Field(default=None, min_length=1, max_length=4096)
    message: str | None = Field(default=None, min_length=1, max_length=4096, description="= message_content")
    media_url: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _something_to_send(self):
        if self.message_content and self.message and self.message_content != self.message:
            raise ValueError("`message` and `message_content` are the same field; give one")
        if not (self.message_content or self.message):
            raise ValueError("give `message_content`: it is the text, or the caption of `media_url` (a media "
                             "message without a caption is not supported here)")
        if self.message_type == "media" and not self.media_url:
            raise ValueError("message_type media needs `media_url`")
        return self


class BulkSendPublic(BulkPublic):
    status: Literal["pending", "running", "paused", "completed", "cancelled"]
    custom_group_id: str | None
    total_recipients: int
    sent_count: int
    failed_count: int
    message_content: str


class BulkSendDetail(BulkSendPublic):
    recipients: list[dict]


def _moltflow(job: BulkPublic | BulkDetail) -> dict:
    return {**job.model_dump(), "status": STATUS.get(job.status, job.status), "custom_group_id": job.group_id,
            "total_recipients": job.total, "sent_count": job.sent, "failed_count": job.failed,
            "message_content": job.message}


CREATE_ERRORS = error_responses(PlanFeatureRequired, NotFound, SessionNotWorking, Unprocessable)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=BulkSendPublic, responses=CREATE_ERRORS)
def create(body: BulkSendCreate, principal: MessagesSend, session: SessionDep, services: ServicesDep):
    """Send one message to every member of a custom group, paced per session."""
    job = service.create_bulk(session, services.settings, principal, BulkCreate(
        session_id=body.session_id, group_id=body.custom_group_id, message=body.message_content or body.message,
        media_url=body.media_url))
    return _moltflow(job)


@router.get("", response_model=list[BulkSendPublic])
def list_jobs(principal: MessagesRead, session: SessionDep, limit: int = Query(default=50, ge=1, le=200),
              offset: Offset = 0):
    """Bulk jobs, newest first."""
    return [_moltflow(job) for job in service.list_bulk(session, principal.account_id, limit=limit, offset=offset)]


@router.get("/{job_id}", response_model=BulkSendDetail, responses=error_responses(NotFound))
def get_job(job_id: str, principal: MessagesRead, session: SessionDep):
    """A job with every recipient's outcome."""
    return _moltflow(service.describe_bulk(session, principal.account_id, job_id))


@router.post("/{job_id}/pause", response_model=BulkSendPublic, responses=error_responses(NotFound, NotPausable))
def pause(job_id: str, principal: MessagesSend, session: SessionDep):
    """Hold the job until resumed."""
    return _moltflow(service.pause_bulk(session, principal.account_id, job_id))


@router.post("/{job_id}/resume", response_model=BulkSendPublic, responses=error_responses(NotFound, NotResumable))
def resume(job_id: str, principal: MessagesSend, session: SessionDep):
    """Carry on a job you paused."""
    return _moltflow(service.resume_bulk(session, principal.account_id, job_id))


@router.post("/{job_id}/cancel", response_model=BulkSendPublic, responses=error_responses(NotFound,
                                                                                        NothingToCancel))
def cancel(job_id: str, principal: MessagesSend, session: SessionDep):
    """Stop the job; recipients not yet sent to are skipped."""
    return _moltflow(service.cancel_bulk(session, principal.account_id, job_id))


@router.get("/{job_id}/progress", responses={**error_responses(NotFound), 200: {"content": {"text/event-stream": {}}}})
def progress(job_id: str, principal: MessagesStream, services: ServicesDep, timeout: StreamSeconds = 600):
    """Server-Sent Events: {sent, total, failed, pending, status} now and at every change, until the job ends."""
    def read():
        with unit_of_work(services.session_factory, read_only=True) as session:
            state = service.progress(session, principal.account_id, job_id)
        return state and {**state, "status": STATUS.get(state["status"], state["status"])}

    if read() is None:
        raise NotFound("Bulk job not found")
    return sse_response(poll_events(read, name="progress", seconds=timeout,
                                    final=lambda state: state["status"] in ("completed", "cancelled")))
