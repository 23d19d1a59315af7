"""Creating WhatsApp groups and changing their members and admins, through the session's gateway.

Read, call, then store what the call changed (the sandbox keeps its groups in the session's config), each in a
short unit of work of its own."""

from app.db import unit_of_work
from app.errors import Unprocessable
from app.gateways.base import GroupInfo
from app.gateways.registry import get_gateway
from app.monitoring.repository import MonitoredGroupRepository
from app.monitoring.schemas import ParticipantsChange, ParticipantsChanged, Participant, WaGroupCreate, WaGroupPublic
from app.phones import parse_chat_id
from app.sessions.models import WhatsAppSession
from app.sessions.repository import SessionRepository
from app.state import Services


class SessionNeeded(Unprocessable):
    detail = "Give session_id: the session whose number is in this group"


def _read_session(services: Services, account_id: str, session_id: str) -> WhatsAppSession:
    with unit_of_work(services.session_factory, read_only=True) as session:
        return SessionRepository(session, account_id).get_or_404(session_id)


def _store_config(services: Services, account_id: str, wa_session: WhatsAppSession, before: dict) -> None:
    """Keep the config keys the gateway call changed (the session may have changed meanwhile: merge, not replace)."""
    changed = {key: value for key, value in wa_session.config.items() if before.get(key) != value}
    if not changed:
        return
    with unit_of_work(services.session_factory) as session:
        fresh = SessionRepository(session, account_id).get(wa_session.id)
        if fresh is not None:
            fresh.config = {**fresh.config, **changed}
            session.add(fresh)


def _public(session_id: str, group: GroupInfo) -> WaGroupPublic:
    return WaGroupPublic(session_id=session_id, wa_group_id=group.id, name=group.name,
                         participant_count=len(group.participants),
                         participants=[Participant(phone=p.phone, role=p.role) for p in group.participants])


def create_wa_group(services: Services, account_id: str, body: WaGroupCreate) -> WaGroupPublic:
    """Create a WhatsApp group on the session's number with these participants."""
    wa_session = _read_session(services, account_id, body.session_id)
    before = dict(wa_session.config)
    group = get_gateway(services, wa_session.gateway).create_group(wa_session, body.name, body.participants)
    _store_config(services, account_id, wa_session, before)
    return _public(wa_session.id, group)


def _session_for_group(services: Services, account_id: str, wa_group_id: str, session_id: str | None) -> str:
    if session_id is not None:
        return session_id
    with unit_of_work(services.session_factory, read_only=True) as session:
        sessions = {row.session_id for row in MonitoredGroupRepository(session, account_id).by_wa_group(wa_group_id)}
    if len(sessions) != 1:
        raise SessionNeeded(f"Give session_id: {'several sessions monitor' if sessions else 'no session monitors'} "
                            f"{wa_group_id}, so which number acts in it is not clear")
    return sessions.pop()


def change_participants(services: Services, account_id: str, wa_group_id: str, action: str,
                        body: ParticipantsChange) -> ParticipantsChanged:
    """Add, remove, promote or demote participants of a group the session's number is in (and may administer)."""
    address = parse_chat_id(wa_group_id)
    if not address.is_group:
        raise Unprocessable(f"{wa_group_id!r} is not a WhatsApp group id (<id>@g.us)")
    session_id = _session_for_group(services, account_id, address.chat_id, body.session_id)
    wa_session = _read_session(services, account_id, session_id)
    before = dict(wa_session.config)
    get_gateway(services, wa_session.gateway).change_participants(wa_session, address.chat_id, action,
                                                                  body.participants)
    _store_config(services, account_id, wa_session, before)
    return ParticipantsChanged(session_id=wa_session.id, wa_group_id=address.chat_id, action=action,
                               participants=body.participants)
