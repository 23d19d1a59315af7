from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import func, select

from app.groups.models import ContactGroup, ContactGroupMember
from app.repository import AccountScopedRepository, in_batches


class GroupRepository(AccountScopedRepository[ContactGroup]):
    model = ContactGroup
    not_found_detail = "Custom group not found"

    def list_with_counts(self) -> list[tuple[ContactGroup, int]]:
        statement = (
            select(ContactGroup, func.count(ContactGroupMember.id))
            .outerjoin(ContactGroupMember, ContactGroupMember.group_id == ContactGroup.id)
            .where(ContactGroup.account_id == self.account_id)
            .group_by(ContactGroup.id)
            .order_by(ContactGroup.created_at, ContactGroup.id)
        )
        return [(group, int(count)) for group, count in self.session.exec(statement)]

    def get_by_name(self, name: str) -> ContactGroup | None:
        return self.session.exec(self.select().where(ContactGroup.name == name)).first()


class MemberRepository(AccountScopedRepository[ContactGroupMember]):
    model = ContactGroupMember

    def for_group(self, group_id: str) -> list[ContactGroupMember]:
        statement = self.select().where(ContactGroupMember.group_id == group_id)
        return list(self.session.exec(statement.order_by(ContactGroupMember.created_at, ContactGroupMember.id)))

    def count_for(self, group_id: str) -> int:
        statement = select(func.count()).select_from(ContactGroupMember).where(
            ContactGroupMember.account_id == self.account_id, ContactGroupMember.group_id == group_id)
        return int(self.session.exec(statement).one())

    def by_phone(self, group_id: str, phones: Iterable[str]) -> dict[str, ContactGroupMember]:
        phones = list(phones)
        found: dict[str, ContactGroupMember] = {}
        for batch in in_batches(phones):
            statement = self.select().where(ContactGroupMember.group_id == group_id,
                                            ContactGroupMember.phone.in_(batch))
            found.update((member.phone, member) for member in self.session.exec(statement))
        return found

    def remove_phones(self, group_id: str, phones: list[str]) -> int:
        removed = 0
        for batch in in_batches(phones):
            result = self.session.execute(delete(ContactGroupMember).where(
                ContactGroupMember.account_id == self.account_id, ContactGroupMember.group_id == group_id,
                ContactGroupMember.phone.in_(batch)))
            removed += result.rowcount
        return removed

    def remove_all(self, group_id: str) -> None:
        self.session.execute(delete(ContactGroupMember).where(ContactGroupMember.account_id == self.account_id,
                                                              ContactGroupMember.group_id == group_id))
