"""The one place tenant scoping lives: every domain query goes through `AccountScopedRepository`."""

from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar

from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import NotFound

Model = TypeVar("Model", bound=SQLModel)
Value = TypeVar("Value")

# Values bound into one IN (...) list. A statement may carry at most 65,535 parameters on PostgreSQL (the wire
# protocol counts them in 16 bits) and 32,766 on a default SQLite build (999 before 3.32); longer lists go in several
# queries.
IN_LIST_SIZE = 500


def in_batches(values: Sequence[Value], size: int = IN_LIST_SIZE) -> Iterator[Sequence[Value]]:
    """`values` in slices small enough for one IN (...) list on every supported database."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


class AccountScopedRepository(Generic[Model]):
    """Queries over one table, always filtered to one account; another account's row reads as missing."""

    model: type[Model]
    not_found_detail = "Not Found"

    def __init__(self, session: Session, account_id: str) -> None:
        self.session = session
        self.account_id = account_id

    def select(self) -> SelectOfScalar[Model]:
        return select(self.model).where(self.model.account_id == self.account_id)

    def get(self, id_) -> Model | None:
        # By primary key through the session's identity map: a row this transaction already loaded costs no query
        # (a batch of inbound messages for one WhatsApp session), and a query would not refresh it either.
        row = self.session.get(self.model, id_)
        return row if row is not None and row.account_id == self.account_id else None

    def get_or_404(self, id_) -> Model:
        row = self.get(id_)
        if row is None:
            raise NotFound(self.not_found_detail)
        return row

    def count(self) -> int:
        statement = select(func.count()).select_from(self.model).where(self.model.account_id == self.account_id)
        return int(self.session.exec(statement).one())

    def add(self, row: Model) -> Model:
        if row.account_id != self.account_id:
            raise ValueError("row belongs to another account")
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, row: Model) -> None:
        self.session.delete(row)
        self.session.flush()
