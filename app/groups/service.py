"""Custom contact groups and their members. Flushes, never commits."""

import csv
import io

from sqlmodel import Session

from app.common import utcnow
from app.errors import Conflict
from app.groups.models import ContactGroup, ContactGroupMember
from app.groups.repository import GroupRepository, MemberRepository
from app.groups.schemas import (Contact, ContactPage, ContactPublic, GroupCreate, GroupDetail, GroupPublic,
                                GroupUpdate, MemberPublic, MembersChange, MembersChanged)
from app.messages.repository import MessageRepository
from app.phones import CONTACT_SUFFIX


class DuplicateGroupName(Conflict):
    detail = "A custom group with this name already exists"


def _public(group: ContactGroup, member_count: int) -> GroupPublic:
    return GroupPublic(id=group.id, name=group.name, description=group.description, member_count=member_count,
                       created_at=group.created_at, updated_at=group.updated_at)


def _check_name_free(repository: GroupRepository, name: str, group_id: str | None = None) -> None:
    existing = repository.get_by_name(name)
    if existing is not None and existing.id != group_id:
        raise DuplicateGroupName(f"A custom group named {name!r} already exists; choose another name")


def list_groups(session: Session, account_id: str) -> list[GroupPublic]:
    return [_public(group, count) for group, count in GroupRepository(session, account_id).list_with_counts()]


def get_group(session: Session, account_id: str, group_id: str) -> ContactGroup:
    return GroupRepository(session, account_id).get_or_404(group_id)


def describe_group(session: Session, account_id: str, group_id: str) -> GroupDetail:
    """The group with its member count and every member."""
    group = get_group(session, account_id, group_id)
    members = MemberRepository(session, account_id).for_group(group.id)
    return GroupDetail(**_public(group, len(members)).model_dump(),
                       members=[MemberPublic(phone=m.phone, name=m.name, added_at=m.created_at) for m in members])


def create_group(session: Session, account_id: str, body: GroupCreate) -> GroupDetail:
    """Create a group, optionally with its first members."""
    repository = GroupRepository(session, account_id)
    _check_name_free(repository, body.name)
    group = repository.add(ContactGroup(account_id=account_id, name=body.name, description=body.description))
    contacts = body.initial_contacts()
    if contacts:
        _merge_members(session, account_id, group, contacts)
    return describe_group(session, account_id, group.id)


def update_group(session: Session, account_id: str, group_id: str, body: GroupUpdate) -> GroupPublic:
    repository = GroupRepository(session, account_id)
    group = repository.get_or_404(group_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name") is not None:
        _check_name_free(repository, changes["name"], group.id)
        group.name = changes["name"]
    if "description" in changes:
        group.description = changes["description"]
    group.updated_at = utcnow()
    session.add(group)
    session.flush()
    return _public(group, MemberRepository(session, account_id).count_for(group.id))


def delete_group(session: Session, account_id: str, group_id: str) -> None:
    repository = GroupRepository(session, account_id)
    group = repository.get_or_404(group_id)
    MemberRepository(session, account_id).remove_all(group.id)
    repository.delete(group)


def _merge_members(session: Session, account_id: str, group: ContactGroup,
                   contacts: list[Contact]) -> tuple[int, int]:
    """Add new phones and rename existing ones; returns (added, updated)."""
    wanted: dict[str, str | None] = {}
    for contact in contacts:
        # A later duplicate without a name does not erase a name given earlier.
        wanted[contact.phone] = contact.name or wanted.get(contact.phone)
    members = MemberRepository(session, account_id)
    existing = members.by_phone(group.id, wanted)
    added = updated = 0
    for phone, name in wanted.items():
        member = existing.get(phone)
        if member is None:
            session.add(ContactGroupMember(account_id=account_id, group_id=group.id, phone=phone, name=name))
            added += 1
        elif name and member.name != name:
            member.name = name
            session.add(member)
            updated += 1
    group.updated_at = utcnow()
    session.add(group)
    session.flush()
    return added, updated


def add_members(session: Session, account_id: str, group_id: str, body: MembersChange) -> MembersChanged:
    """Add phones or named contacts; phones already in the group are merged, not duplicated."""
    group = get_group(session, account_id, group_id)
    added, updated = _merge_members(session, account_id, group, body.as_contacts())
    return MembersChanged(group_id=group.id, added=added, updated=updated,
                          member_count=MemberRepository(session, account_id).count_for(group.id))


def remove_members(session: Session, account_id: str, group_id: str, body: MembersChange) -> MembersChanged:
    """Remove phones; phones not in the group are ignored."""
    group = get_group(session, account_id, group_id)
    members = MemberRepository(session, account_id)
    phones = list(dict.fromkeys(contact.phone for contact in body.as_contacts()))
    removed = members.remove_phones(group.id, phones)
    group.updated_at = utcnow()
    session.add(group)
    session.flush()
    return MembersChanged(group_id=group.id, added=0, removed=removed, member_count=members.count_for(group.id))


def export_csv(session: Session, account_id: str, group_id: str) -> str:
    """The members as CSV (phone, name, added_at), for spreadsheets and CRMs."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "name", "added_at"])
    for member in group_contacts(session, account_id, group_id):
        writer.writerow([member.phone, _safe_cell(member.name or ""), member.created_at.isoformat()])
    return out.getvalue()


def _safe_cell(text: str) -> str:
    # A name starting with = + - @ would run as a formula when the file is opened in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def list_contacts(session: Session, account_id: str, *, limit: int, offset: int) -> ContactPage:
    """Everyone the account's sessions (with chats on) have written with, newest first: people to group."""
    rows, total = MessageRepository(session, account_id).contacts(limit, offset)
    return ContactPage(items=[ContactPublic(phone=phone, chat_id=f"{phone}{CONTACT_SUFFIX}", name=name,
                                            last_message_at=last_at, message_count=count)
                              for phone, name, last_at, count in rows], total=total, limit=limit, offset=offset)


def group_contacts(session: Session, account_id: str, group_id: str) -> list[ContactGroupMember]:
    """Every member of a group, for scheduled and bulk sends."""
    return MemberRepository(session, account_id).for_group(get_group(session, account_id, group_id).id)
