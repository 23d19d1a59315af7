from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, func, select

from app.bulk.models import BulkJob, BulkRecipient
from app.repository import AccountScopedRepository


class BulkRepository(AccountScopedRepository[BulkJob]):
    model = BulkJob
    not_found_detail = "Bulk job not found"

    def list(self, *, limit: int, offset: int) -> list[BulkJob]:
        statement = self.select().order_by(BulkJob.created_at.desc(), BulkJob.id).offset(offset).limit(limit)
        return list(self.session.exec(statement))


class RecipientRepository(AccountScopedRepository[BulkRecipient]):
    model = BulkRecipient

    def for_job(self, bulk_job_id: str) -> list[BulkRecipient]:
        statement = self.select().where(BulkRecipient.bulk_job_id == bulk_job_id).order_by(BulkRecipient.position)
        return list(self.session.exec(statement))

    def next_pending(self, bulk_job_id: str) -> BulkRecipient | None:
        statement = self.select().where(BulkRecipient.bulk_job_id == bulk_job_id, BulkRecipient.status == "pending")
        return self.session.exec(statement.order_by(BulkRecipient.position).limit(1)).first()

    def cancel_pending(self, bulk_job_id: str, error: str | None = None) -> None:
        self.session.execute(update(BulkRecipient).where(
            BulkRecipient.account_id == self.account_id, BulkRecipient.bulk_job_id == bulk_job_id,
            BulkRecipient.status == "pending").values(status="cancelled", error=error))


def last_send_on_session(session: Session, session_id: str) -> datetime | None:
    """When any bulk job last sent through this WhatsApp session (pacing is per session, across jobs)."""
    statement = select(func.max(BulkRecipient.sent_at)).where(BulkRecipient.session_id == session_id)
    return session.exec(statement).one()
