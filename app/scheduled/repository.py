from __future__ import annotations

from app.repository import AccountScopedRepository
from app.scheduled.models import ScheduledMessage


class ScheduledRepository(AccountScopedRepository[ScheduledMessage]):
    model = ScheduledMessage
    not_found_detail = "Scheduled message not found"

    def list(self, *, status: str | None, limit: int, offset: int) -> list[ScheduledMessage]:
        statement = self.select()
        if status:
            statement = statement.where(ScheduledMessage.status == status)
        statement = statement.order_by(ScheduledMessage.created_at.desc(), ScheduledMessage.id)
        return list(self.session.exec(statement.offset(offset).limit(limit)))
