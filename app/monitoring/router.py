"""MoltFlow's group monitoring (/groups): WhatsApp groups a session is in, watched for messages.

Not to be confused with /custom-groups (app/groups/): named contact lists for outreach."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from app.deps import Offset, RequireScope, ServicesDep, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.gateways.base import GatewayError, GatewayTimeout, GroupNotFound, GroupsUnsupported, SessionNotConnected
from app.monitoring import service, wagroups
from app.monitoring.schemas import (AvailableGroupPage, MonitoredGroupCreate, MonitoredGroupPage,
                                    MonitoredGroupPublic, MonitoredGroupUpdate, ParticipantsChange,
                                    ParticipantsChanged, WaGroupCreate, WaGroupPublic)
from app.monitoring.service import AlreadyMonitored

router = APIRouter(prefix="/groups", tags=["Group monitoring"])
GroupsRead = RequireScope("groups:read")
GroupsWrite = RequireScope("groups:write")
Limit = Annotated[int, Query(ge=1, le=100)]
GATEWAY_ERRORS = (GroupsUnsupported, SessionNotConnected, GatewayError, GatewayTimeout)


@router.get("", response_model=MonitoredGroupPage)
def list_groups(principal: GroupsRead, session: SessionDep, limit: Limit = 50, offset: Offset = 0,
                session_id: Annotated[str | None, Query(max_length=32)] = None):
    """List monitored groups, newest first."""
    return service.list_monitored(session, principal.account_id, session_id=session_id, limit=limit, offset=offset)


@router.get("/available/{session_id}", response_model=AvailableGroupPage,
            responses=error_responses(NotFound, *GATEWAY_ERRORS))
def available_groups(session_id: str, principal: GroupsRead, services: ServicesDep, limit: Limit = 50,
                     offset: Offset = 0):
    """List the session's WhatsApp groups, largest first, with whether each is monitored."""
    return service.available_groups(services, principal.account_id, session_id, limit=limit, offset=offset)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=MonitoredGroupPublic,
             responses=error_responses(NotFound, AlreadyMonitored, *GATEWAY_ERRORS))
def add_group(body: MonitoredGroupCreate, principal: GroupsWrite, services: ServicesDep):
    """Start monitoring one of the session's WhatsApp groups."""
    return service.add_group(services, principal.account_id, body)


@router.post("/create", status_code=status.HTTP_201_CREATED, response_model=WaGroupPublic,
             responses=error_responses(NotFound, *GATEWAY_ERRORS))
def create_wa_group(body: WaGroupCreate, principal: GroupsWrite, services: ServicesDep):
    """Create a new WhatsApp group on the session's number."""
    return wagroups.create_wa_group(services, principal.account_id, body)


@router.get("/{group_id}", response_model=MonitoredGroupPublic, responses=error_responses(NotFound))
def get_group(group_id: str, principal: GroupsRead, session: SessionDep):
    """Get a monitored group."""
    return service.public(service.get_monitored(session, principal.account_id, group_id))


@router.patch("/{group_id}", response_model=MonitoredGroupPublic, responses=error_responses(NotFound, Unprocessable))
def update_group(group_id: str, body: MonitoredGroupUpdate, principal: GroupsWrite, session: SessionDep):
    """Change a monitored group's mode, keywords, name or is_active; only the fields sent change."""
    return service.public(service.update_group(session, principal.account_id, group_id, body))


@router.delete("/{group_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_group(group_id: str, principal: GroupsWrite, session: SessionDep):
    """Stop monitoring a group."""
    service.delete_group(session, principal.account_id, group_id)


def _participants_route(path: str, action: str, summary: str):
    @router.post(f"/{{wa_group_id}}/{path}", response_model=ParticipantsChanged, name=f"{action}_participants",
                 responses=error_responses(NotFound, GroupNotFound, Unprocessable, *GATEWAY_ERRORS))
    def change(wa_group_id: str, body: ParticipantsChange, principal: GroupsWrite, services: ServicesDep):
        return wagroups.change_participants(services, principal.account_id, wa_group_id, action, body)

    change.__doc__ = summary
    return change


add_participants = _participants_route("participants/add", "add", "Add participants to a WhatsApp group.")
remove_participants = _participants_route("participants/remove", "remove",
                                          "Remove participants from a WhatsApp group.")
promote_participants = _participants_route("admin/promote", "promote", "Make participants admins of a group.")
demote_participants = _participants_route("admin/demote", "demote", "Make admins ordinary participants again.")
