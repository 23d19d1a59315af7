"""Bulk messages: one message to many recipients, sent by a paced chain of jobs. Flushes, never commits."""

from sqlmodel import Session

from app.accounts.plans import require_feature
from app.auth.principal import Principal
from app.bulk.models import BulkJob, BulkRecipient
from app.bulk.repository import BulkRepository, RecipientRepository
from app.bulk.schemas import BulkCreate, BulkDetail, BulkPublic, RecipientPublic
from app.common import utcnow
from app.config import Settings
from app.errors import Conflict, Unprocessable
from app.groups.service import group_contacts
from app.jobs.queue import enqueue
from app.messages.service import SessionNotWorking
from app.net import check_public_url
from app.sessions.repository import SessionRepository

SEND_NEXT_JOB = "bulk.send_next"
USER = "user"  # paused_by: a person paused it (POST .../pause); it waits for POST .../resume


class NothingToCancel(Conflict):
    detail = "This bulk job has already finished; there is nothing left to cancel"


def public(job: BulkJob) -> BulkPublic:
    pending = 0 if job.status in ("completed", "cancelled") else job.total - job.sent - job.failed
    return BulkPublic(**job.model_dump(include=set(BulkPublic.model_fields) - {"pending"}), pending=pending)


def _recipients(session: Session, account_id: str, body: BulkCreate) -> list[tuple[str, str | None]]:
    if body.group_id is not None:
        contacts = [(m.phone, m.name) for m in group_contacts(session, account_id, body.group_id)]
    else:
        contacts = [(phone, None) for phone in body.phones] + [(c.phone, c.name) for c in body.contacts]
    merged: dict[str, str | None] = {}
    for phone, name in contacts:  # one message per phone, keeping any name given
        merged[phone] = name or merged.get(phone)
    return list(merged.items())


def create_bulk(session: Session, settings: Settings, principal: Principal, body: BulkCreate) -> BulkPublic:
    """Queue a bulk send (Growth and Business plans); it starts at once and is paced per session."""
    require_feature(principal.plan, "bulk_messages", principal.account_id)
    account_id = principal.account_id
    wa_session = SessionRepository(session, account_id).get_or_404(body.session_id)
    if wa_session.status != "working":
        raise SessionNotWorking(f"Session {wa_session.id} is {wa_session.status}, not working; "
                                f"restart it (POST /sessions/{wa_session.id}/restart) and try again")
    if body.media_url:
        check_public_url(body.media_url, settings.allow_private_urls, what="media_url")
    recipients = _recipients(session, account_id, body)
    if not recipients:
        raise Unprocessable("The custom group has no members; add some with POST /custom-groups/{id}/members/add")
    job = BulkRepository(session, account_id).add(BulkJob(
        account_id=account_id, session_id=wa_session.id, group_id=body.group_id, message=body.message,
        fallback_name=body.fallback_name, media_url=body.media_url, total=len(recipients)))
    for position, (phone, name) in enumerate(recipients):
        session.add(BulkRecipient(account_id=account_id, bulk_job_id=job.id, session_id=wa_session.id,
                                  position=position, phone=phone, name=name))
    session.flush()
    enqueue(session, SEND_NEXT_JOB, {"bulk_job_id": job.id}, account_id=job.account_id)
    return public(job)


def list_bulk(session: Session, account_id: str, *, limit: int = 50, offset: int = 0) -> list[BulkPublic]:
    return [public(job) for job in BulkRepository(session, account_id).list(limit=limit, offset=offset)]


def describe_bulk(session: Session, account_id: str, bulk_job_id: str) -> BulkDetail:
    """The job's progress and every recipient's outcome."""
    job = BulkRepository(session, account_id).get_or_404(bulk_job_id)
    recipients = RecipientRepository(session, account_id).for_job(job.id)
    return BulkDetail(**public(job).model_dump(), recipients=[
        RecipientPublic(phone=r.phone, name=r.name, status=r.status, message_id=r.message_id, error=r.error,
                        sent_at=r.sent_at) for r in recipients])


class NotPausable(Conflict):
    detail = "This bulk job has finished; there is nothing to pause"


class NotResumable(Conflict):
    detail = "This bulk job is not paused by you"


def pause_bulk(session: Session, account_id: str, bulk_job_id: str) -> BulkPublic:
    """Hold a bulk job until resumed: the send in flight finishes, no further recipient is sent to."""
    job = BulkRepository(session, account_id).get_or_404(bulk_job_id)
    if job.status in ("completed", "cancelled"):
        raise NotPausable(f"This bulk job is {job.status}; there is nothing to pause")
    job.status, job.paused_by = "paused", USER
    session.add(job)
    session.flush()
    return public(job)


def resume_bulk(session: Session, account_id: str, bulk_job_id: str) -> BulkPublic:
    """Carry on a job paused with pause_bulk (one paused because its session stopped resumes by itself)."""
    job = BulkRepository(session, account_id).get_or_404(bulk_job_id)
    if job.status in ("queued", "running"):
        return public(job)  # resuming a job that runs is harmless
    if job.status != "paused" or job.paused_by != USER:
        raise NotResumable(f"This bulk job is {job.status}" + (
            ", waiting for its session to work again; it carries on by itself then" if job.status == "paused"
            else "; there is nothing to resume"))
    job.status, job.paused_by = ("running" if job.started_at else "queued"), None
    session.add(job)
    session.flush()
    enqueue(session, SEND_NEXT_JOB, {"bulk_job_id": job.id}, account_id=job.account_id)
    return public(job)


def progress(session: Session, account_id: str, bulk_job_id: str) -> dict | None:
    """The counters the progress stream sends; None once the job is gone."""
    job = BulkRepository(session, account_id).get(bulk_job_id)
    if job is None:
        return None
    view = public(job)
    return {"sent": view.sent, "failed": view.failed, "pending": view.pending, "total": view.total,
            "status": view.status}


def cancel_bulk(session: Session, account_id: str, bulk_job_id: str) -> BulkPublic:
    """Stop a bulk job: recipients not yet sent to are skipped; cancelling twice is harmless."""
    job = BulkRepository(session, account_id).get_or_404(bulk_job_id)
    if job.status == "cancelled":
        return public(job)
    if job.status == "completed":
        raise NothingToCancel()
    RecipientRepository(session, account_id).cancel_pending(job.id)
    job.status, job.finished_at = "cancelled", utcnow()
    session.add(job)
    session.flush()
    return public(job)
