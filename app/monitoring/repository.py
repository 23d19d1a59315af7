from sqlmodel import func, select

from app.monitoring.models import MonitoredGroup
from app.repository import AccountScopedRepository


class MonitoredGroupRepository(AccountScopedRepository[MonitoredGroup]):
    model = MonitoredGroup
    not_found_detail = "Monitored group not found"

    def page(self, *, session_id: str | None, limit: int, offset: int) -> tuple[list[MonitoredGroup], int]:
        statement = self.select()
        if session_id is not None:
            statement = statement.where(MonitoredGroup.session_id == session_id)
        total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
        rows = self.session.exec(statement.order_by(MonitoredGroup.created_at.desc(), MonitoredGroup.id)
                                 .limit(limit).offset(offset)).all()
        return list(rows), int(total)

    def for_session(self, session_id: str) -> list[MonitoredGroup]:
        return list(self.session.exec(self.select().where(MonitoredGroup.session_id == session_id)).all())

    def find(self, session_id: str, wa_group_id: str) -> MonitoredGroup | None:
        return self.session.exec(self.select().where(MonitoredGroup.session_id == session_id,
                                                     MonitoredGroup.wa_group_id == wa_group_id)).first()

    def by_wa_group(self, wa_group_id: str) -> list[MonitoredGroup]:
        return list(self.session.exec(self.select().where(MonitoredGroup.wa_group_id == wa_group_id)).all())
