from sqlmodel import col, func, select

from app.jobs.models import Job
from app.repository import AccountScopedRepository


class JobRepository(AccountScopedRepository[Job]):
    model = Job
    not_found_detail = "Job not found"

    def page(self, *, status: str | None, kind: str | None, limit: int, offset: int) -> tuple[list[Job], int]:
        statement = self.select()
        if status:
            statement = statement.where(Job.status == status)
        if kind:
            statement = statement.where(Job.kind == kind)
        total = self.session.exec(select(func.count()).select_from(statement.subquery())).one()
        rows = self.session.exec(statement.order_by(col(Job.created_at).desc(), col(Job.id).desc())
                                 .offset(offset).limit(limit))
        return list(rows), int(total)
