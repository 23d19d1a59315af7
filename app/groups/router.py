from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi.responses import PlainTextResponse

from app.deps import Offset, RequireScope, SessionDep
from app.errors import NotFound, error_responses
from app.groups import service
from app.groups.schemas import (ContactPage, GroupCreate, GroupDetail, GroupPublic, GroupUpdate, MemberPublic,
                                MembersChange, MembersChanged)
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


@router.get("/contacts", response_model=ContactPage)
def list_contacts(principal: GroupsRead, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100,
                  offset: Offset = 0):
    """Everyone your sessions have written with (sessions with chats on), newest first: people to add to groups."""
    return service.list_contacts(session, principal.account_id, limit=limit, offset=offset)


@router.get("/{group_id}/export/csv", response_class=PlainTextResponse, responses={
    **error_responses(NotFound), 200: {"content": {"text/csv": {}}}})
def export_csv(group_id: str, principal: GroupsRead, session: SessionDep):
    """The group's members as a CSV download: phone, name, added_at."""
    text = service.export_csv(session, principal.account_id, group_id)
    return PlainTextResponse(text, media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="group-{group_id}.csv"'})


@router.get("/{group_id}/export/json", response_model=list[MemberPublic], responses=error_responses(NotFound))
def export_json(group_id: str, principal: GroupsRead, session: SessionDep):
    """The group's members as a JSON array."""
    return service.describe_group(session, principal.account_id, group_id).members


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
