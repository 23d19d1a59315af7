from fastapi import APIRouter, status

from app.deps import RequireScope, SessionDep
from app.errors import NotFound, error_responses
from app.groups import service
from app.groups.schemas import GroupCreate, GroupDetail, GroupPublic, GroupUpdate, MembersChange, MembersChanged
from app.groups.service import DuplicateGroupName

router = APIRouter(prefix="/custom-groups", tags=["Custom groups"])
GroupsRead = RequireScope("groups:read")
GroupsWrite = RequireScope("groups:write")


@router.get("", response_model=list[GroupPublic])
def list_groups(principal: GroupsRead, session: SessionDep):
    """List custom contact groups with their member counts."""
    return service.list_groups(session, principal.account_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=GroupDetail,
             responses=error_responses(DuplicateGroupName))
def create_group(body: GroupCreate, principal: GroupsWrite, session: SessionDep):
    """Create a group, optionally with its first members."""
    return service.create_group(session, principal.account_id, body)


@router.get("/{group_id}", response_model=GroupDetail, responses=error_responses(NotFound))
def get_group(group_id: str, principal: GroupsRead, session: SessionDep):
    """Get a group with its member count and members."""
    return service.describe_group(session, principal.account_id, group_id)


@router.patch("/{group_id}", response_model=GroupPublic, responses=error_responses(NotFound, DuplicateGroupName))
def update_group(group_id: str, body: GroupUpdate, principal: GroupsWrite, session: SessionDep):
    """Rename a group or change its description."""
    return service.update_group(session, principal.account_id, group_id, body)


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_group(group_id: str, principal: GroupsWrite, session: SessionDep) -> None:
    """Delete a group and its member list (the contacts' chats are untouched)."""
    service.delete_group(session, principal.account_id, group_id)


@router.post("/{group_id}/members/add", response_model=MembersChanged, responses=error_responses(NotFound))
def add_members(group_id: str, body: MembersChange, principal: GroupsWrite, session: SessionDep):
    """Add contacts to a group; duplicates are merged."""
    return service.add_members(session, principal.account_id, group_id, body)


@router.post("/{group_id}/members/remove", response_model=MembersChanged, responses=error_responses(NotFound))
def remove_members(group_id: str, body: MembersChange, principal: GroupsWrite, session: SessionDep):
    """Remove contacts from a group."""
    return service.remove_members(session, principal.account_id, group_id, body)
