"""The sandbox gateway: an in-process stand-in for WhatsApp so the whole product runs on one machine."""

import secrets
from datetime import datetime

from app.config import Settings
from app.gateways.base import (STOPPED, WORKING, GatewayEvents, GatewayState, GroupInfo, GroupNotFound,
                               GroupParticipant, InboundMessage, Media, NoQrCode, Poll, QrCode, SentMessage,
                               StatusUpdate)
from app.sessions.models import WhatsAppSession


# The sandbox number's WhatsApp groups live in its session config under this key: {group id: {name, participants:
# {phone: role}}}. Like WAHA's start() adding a webhook key, the gateway changes the config and the caller stores it.
GROUPS_KEY = "sandbox_groups"


def sandbox_phone_number() -> str:
    """A number in the US fictional 555 range, so it can never reach a real person."""
    return "1555" + f"{secrets.randbelow(10**7):07d}"


def _groups(wa_session: WhatsAppSession) -> dict[str, dict]:
    return {gid: {"name": g["name"], "participants": dict(g["participants"])}
            for gid, g in (wa_session.config.get(GROUPS_KEY) or {}).items()}


def _store(wa_session: WhatsAppSession, groups: dict[str, dict]) -> None:
    wa_session.config = {**wa_session.config, GROUPS_KEY: groups}  # a new dict: SQLAlchemy sees the change


def remember_group(wa_session: WhatsAppSession, group_id: str, member: str) -> bool:
    """A sandbox customer wrote in `group_id`: the number is in that group, and so is `member`. True if it changed."""
    groups = _groups(wa_session)
    group = groups.setdefault(group_id, {"name": f"Sandbox group {group_id.split('@')[0][-4:]}", "participants": {}})
    if member in group["participants"] and group_id in (wa_session.config.get(GROUPS_KEY) or {}):
        return False
    group["participants"].setdefault(member, "member")
    _store(wa_session, groups)
    return True


class SandboxGateway:
    """Sessions are working at once; sends succeed with a fresh wamid; customer messages come from /sandbox."""

    kind = "sandbox"
    unsupported_messages: dict[str, str] = {}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start(self, wa_session: WhatsAppSession) -> GatewayState:
        return GatewayState(WORKING, wa_session.phone_number or sandbox_phone_number())

    def stop(self, wa_session: WhatsAppSession) -> GatewayState:
        return GatewayState(STOPPED, wa_session.phone_number)

    def restart(self, wa_session: WhatsAppSession) -> GatewayState:
        return self.start(wa_session)

    def status(self, wa_session: WhatsAppSession) -> GatewayState:
        return GatewayState(wa_session.status, wa_session.phone_number)

    def qr(self, wa_session: WhatsAppSession) -> QrCode:
        raise NoQrCode("Sandbox sessions are connected at once and have no QR code")

    def delete(self, wa_session: WhatsAppSession) -> None:
        return None

    def send_text(self, wa_session: WhatsAppSession, to: str, text: str) -> SentMessage:
        return SentMessage("wamid." + secrets.token_hex(12).upper())

    def send_media(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        return self.send_text(wa_session, to, caption)

    def send_poll(self, wa_session: WhatsAppSession, to: str, poll: Poll) -> SentMessage:
        return self.send_text(wa_session, to, poll.title)

    def send_sticker(self, wa_session: WhatsAppSession, to: str, media: Media) -> SentMessage:
        return self.send_text(wa_session, to, "")

    def send_gif(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        return self.send_text(wa_session, to, caption)

    def list_groups(self, wa_session: WhatsAppSession) -> list[GroupInfo]:
        return [GroupInfo(gid, group["name"],
                          tuple(GroupParticipant(phone, role) for phone, role in group["participants"].items()))
                for gid, group in _groups(wa_session).items()]

    def create_group(self, wa_session: WhatsAppSession, name: str, participants: list[str]) -> GroupInfo:
        group_id = f"120363{secrets.randbelow(10**12):012d}@g.us"
        members = {phone: "member" for phone in participants}
        if wa_session.phone_number:
            members[wa_session.phone_number] = "superadmin"
        _store(wa_session, {**_groups(wa_session), group_id: {"name": name, "participants": members}})
        return next(group for group in self.list_groups(wa_session) if group.id == group_id)

    def change_participants(self, wa_session: WhatsAppSession, group_id: str, action: str,
                            phones: list[str]) -> None:
        groups = _groups(wa_session)
        if group_id not in groups:
            raise GroupNotFound(f"The sandbox number is not in group {group_id}")
        members = groups[group_id]["participants"]
        for phone in phones:
            if action == "add":
                members.setdefault(phone, "member")
            elif action == "remove":
                members.pop(phone, None)
            elif phone in members and members[phone] != "superadmin":  # WhatsApp never demotes the creator
                members[phone] = "admin" if action == "promote" else "member"
        _store(wa_session, groups)

    def find_sent(self, wa_session: WhatsAppSession, to: str, text: str, since: datetime,
                  kind: str = "text") -> SentMessage | None:
        # A sandbox send never leaves this process: one interrupted by a crash did not happen.
        return None

    def parse_event(self, payload: dict) -> list[GatewayEvents]:
        """The sandbox's own event shape, as built by /sandbox/inbound and /sandbox/status."""
        events = GatewayEvents(session_ref=payload.get("session_id"))
        if "message" in payload:
            events.messages.append(InboundMessage(**payload["message"]))
        if "status" in payload:
            events.statuses.append(StatusUpdate(**payload["status"]))
        return [events]
