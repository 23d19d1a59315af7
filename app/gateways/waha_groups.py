"""WAHA's group shapes, which differ per engine: WEBJS chats, NOWEB metadata keyed by id, GOWS Go structs."""

from app.gateways.base import GROUP_SUFFIX, GroupInfo, GroupParticipant


def _jid(value) -> str:
    if isinstance(value, dict):  # WEBJS: {"server": "g.us", "user": "...", "_serialized": "...@g.us"}
        return str(value.get("_serialized") or "")
    return str(value or "")


def _phone(jid: str) -> str:
    return jid.split("@", 1)[0].split(":", 1)[0]


def _role(participant: dict) -> str:
    if (participant.get("isSuperAdmin") or participant.get("IsSuperAdmin")
            or participant.get("admin") == "superadmin"):
        return "superadmin"
    if participant.get("isAdmin") or participant.get("IsAdmin") or participant.get("admin") == "admin":
        return "admin"
    return "member"


def parse_group(raw: dict, fallback_name: str = "") -> GroupInfo | None:
    """One group in any engine's shape; None when it carries no group id."""
    metadata = raw.get("groupMetadata") or {}
    group_id = _jid(raw.get("id") or raw.get("gid") or raw.get("JID") or metadata.get("id"))
    if not group_id.endswith(GROUP_SUFFIX):
        return None
    name = raw.get("name") or raw.get("subject") or raw.get("title") or raw.get("Name") or metadata.get("subject") or fallback_name
    participants = raw.get("participants") or raw.get("Participants") or metadata.get("participants") or []
    return GroupInfo(group_id, str(name), tuple(
        GroupParticipant(_phone(_jid(p.get("id") or p.get("JID"))), _role(p))
        for p in participants if isinstance(p, dict) and (p.get("id") or p.get("JID"))))


def parse_groups(body) -> list[GroupInfo]:
    """GET /api/{session}/groups: a list (WEBJS, GOWS) or an object keyed by group id (NOWEB)."""
    items = body.values() if isinstance(body, dict) else body
    return [group for raw in items if isinstance(raw, dict) and (group := parse_group(raw)) is not None]
