"""Monitored groups: which of a session's WhatsApp groups are watched, and how. Flushes, never commits.

Listing or checking a session's groups asks its gateway, so those functions open short units of work of their own
around the call (no transaction is held across it)."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.common import utcnow
from app.db import unit_of_work
from app.errors import Conflict, Unprocessable, patch_changes
from app.gateways.base import GroupInfo, GroupNotFound
from app.gateways.registry import get_gateway
from app.monitoring.models import MonitoredGroup
from app.monitoring.repository import MonitoredGroupRepository
from app.monitoring.schemas import (AvailableGroup, AvailableGroupPage, MonitoredGroupCreate, MonitoredGroupPage,
                                    MonitoredGroupPublic, MonitoredGroupUpdate)
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.state import Services


class AlreadyMonitored(Conflict):
    detail = "This group is already monitored for this session"


def public(group: MonitoredGroup) -> MonitoredGroupPublic:
    return MonitoredGroupPublic.model_validate(group, from_attributes=True)


def session_groups(services: Services, account_id: str, session_id: str) -> tuple[WhatsAppSession, list[GroupInfo]]:
    """The session (read in a short unit of work) and the WhatsApp groups its gateway says it is in."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        wa_session = SessionRepository(session, account_id).get_or_404(session_id)
    return wa_session, get_gateway(services, wa_session.gateway).list_groups(wa_session)


def list_monitored(session: Session, account_id: str, *, session_id: str | None, limit: int,
                   offset: int) -> MonitoredGroupPage:
    rows, total = MonitoredGroupRepository(session, account_id).page(session_id=session_id, limit=limit,
                                                                    offset=offset)
    return MonitoredGroupPage(items=[public(row) for row in rows], total=total, limit=limit, offset=offset)


def get_monitored(session: Session, account_id: str, group_id: str) -> MonitoredGroup:
    return MonitoredGroupRepository(session, account_id).get_or_404(group_id)


def available_groups(services: Services, account_id: str, session_id: str, *, limit: int,
                     offset: int) -> AvailableGroupPage:
    """The session's WhatsApp groups, largest first, each saying whether it is monitored."""
    wa_session, groups = session_groups(services, account_id, session_id)
    with unit_of_work(services.session_factory, read_only=True) as session:
        monitored = {row.wa_group_id: row.id
                     for row in MonitoredGroupRepository(session, account_id).for_session(wa_session.id)}
    groups = sorted(groups, key=lambda group: (-len(group.participants), group.name.casefold(), group.id))
    items = [AvailableGroup(wa_group_id=group.id, name=group.name, participant_count=len(group.participants),
                            is_monitored=group.id in monitored, monitored_group_id=monitored.get(group.id))
             for group in groups[offset:offset + limit]]
    return AvailableGroupPage(session_id=wa_session.id, items=items, total=len(groups), limit=limit, offset=offset)


def add_group(services: Services, account_id: str, body: MonitoredGroupCreate) -> MonitoredGroupPublic:
    """Start monitoring one of the session's groups; a group the session is not in is 404, not watched in vain."""
    with unit_of_work(services.session_factory, read_only=True) as session:
        if MonitoredGroupRepository(session, account_id).find(body.session_id, body.wa_group_id) is not None:
            raise AlreadyMonitored(f"{body.wa_group_id} is already monitored for session {body.session_id}; "
                                   "change it with PATCH /groups/{id}")
    wa_session, groups = session_groups(services, account_id, body.session_id)
    group = next((group for group in groups if group.id == body.wa_group_id), None)
    if group is None:
        raise GroupNotFound(f"Session {wa_session.id} is not in WhatsApp group {body.wa_group_id}; "
                            f"GET /groups/available/{wa_session.id} lists its groups")
    row = MonitoredGroup(account_id=account_id, session_id=wa_session.id, wa_group_id=group.id,
                         name=body.name or group.name or group.id, monitor_mode=body.monitor_mode,
                         monitor_keywords=body.monitor_keywords)
    try:
        with unit_of_work(services.session_factory) as session:
            MonitoredGroupRepository(session, account_id).add(row)
            return public(row)
    except IntegrityError:  # a concurrent request added it first (or the session was deleted meanwhile)
        raise AlreadyMonitored() from None


def update_group(session: Session, account_id: str, group_id: str, body: MonitoredGroupUpdate) -> MonitoredGroup:
    """Change only the fields sent; keyword mode must end up with keywords."""
    group = get_monitored(session, account_id, group_id)
    for name, value in patch_changes(body).items():
        setattr(group, name, value)
    if group.monitor_mode == "keywords" and not group.monitor_keywords:
        raise Unprocessable("monitor_mode 'keywords' needs at least one entry in monitor_keywords")
    group.updated_at = utcnow()
    session.add(group)
    session.flush()
    return group


def delete_group(session: Session, account_id: str, group_id: str) -> None:
    """Stop monitoring; the group's messages stay in its chat."""
    repository = MonitoredGroupRepository(session, account_id)
    repository.delete(repository.get_or_404(group_id))
