"""The Gateway protocol: how Replybase talks to one WhatsApp backend (sandbox, WAHA, Meta Cloud API)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from app.errors import BadGateway, Conflict, NotFound, ReplybaseError, Unprocessable
from app.phones import GROUP_SUFFIX, is_group_chat  # noqa: F401 - group chats are "<id>@g.us" on every gateway
from app.sessions.models import WhatsAppSession

# The contract's session statuses.
WORKING, STOPPED, FAILED, QR_CODE = "working", "stopped", "failed", "qr_code"
# Message statuses in the order they can only move forward; "failed" is terminal and set apart.
STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}


class GatewayError(BadGateway):
    """The gateway answered with an error or garbage (502)."""

    detail = "The WhatsApp gateway failed"


class GatewayTimeout(ReplybaseError):
    status_code = 504
    detail = "The WhatsApp gateway did not answer in time"


class SessionNotConnected(Conflict):
    detail = "The session is not connected to WhatsApp; check GET /sessions/{id} and restart or scan the QR code"


class OutsideCustomerWindow(Unprocessable):
    detail = ("This customer has not written in the last 24 hours, so WhatsApp refuses free-form messages; "
              "wait for them to write first")


class SendLookupUnsupported(ReplybaseError):
    """The backend offers no way to find out whether an interrupted send went out."""

    detail = "This gateway cannot tell whether an interrupted send went out"


class NoQrCode(Conflict):
    detail = "This session has no QR code to scan"


class GroupsUnsupported(Unprocessable):
    detail = "This gateway cannot list or manage WhatsApp groups"


class GroupNotFound(NotFound):
    detail = "This WhatsApp group is not one of the session's groups"


class MessageTypeUnsupported(Unprocessable):
    """The gateway has no such message type (say, polls on the Cloud API): refused, never sent as something else."""

    detail = "This gateway cannot send this kind of message"


@dataclass(frozen=True)
class GatewayState:
    """What the gateway says about a session: a contract status and, once known, the phone number."""

    status: str
    phone_number: str | None = None


@dataclass(frozen=True)
class QrCode:
    mimetype: str
    data: str  # base64


@dataclass(frozen=True)
class Media:
    """A checked media attachment: the public URL, what fetching it revealed, and the bytes fetched."""

    url: str
    mimetype: str
    filename: str
    kind: str  # image, document, audio, video
    size: int
    # Gateways on our own network (WAHA) get these bytes rather than the URL: letting them fetch it again would
    # bypass the address check (the URL's host may answer them differently).
    content: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Poll:
    title: str
    options: tuple[str, ...]
    allow_multiple: bool = False


@dataclass(frozen=True)
class GroupParticipant:
    phone: str
    role: str = "member"  # member, admin, superadmin (the creator)


@dataclass(frozen=True)
class GroupInfo:
    """A WhatsApp group the session's number belongs to."""

    id: str  # "<id>@g.us"
    name: str
    participants: tuple[GroupParticipant, ...] = ()


# What participants/add, /remove, /admin/promote and /admin/demote do to a group.
PARTICIPANT_ACTIONS = ("add", "remove", "promote", "demote")


@dataclass(frozen=True)
class SentMessage:
    gateway_message_id: str


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as any gateway delivers it; every gateway's inbound path produces one of these."""

    gateway_message_id: str
    phone: str
    text: str
    name: str | None = None
    media_url: str | None = None
    media_type: str | None = None
    timestamp: datetime | None = None
    # Set for a message written in a group ("<id>@g.us"); `phone` is then the member who wrote it.
    group_id: str | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery receipt for a message we sent: sent, delivered, read or failed."""

    gateway_message_id: str
    status: str
    error: str | None = None


@dataclass
class GatewayEvents:
    """Everything one gateway callback carried, addressed to the session it names."""

    session_ref: str | None = None
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    session_status: str | None = None


class Gateway(Protocol):
    """One WhatsApp backend.

    Methods take the stored session (its `config` holds per-session settings such as a WAHA base URL or a
    Meta phone number id) and raise GatewayError, GatewayTimeout or SessionNotConnected; they never write to the
    database, which stays the caller's job.
    """

    kind: str
    # Message kinds the backend has no way to send, with the reason: refused before anything is stored.
    unsupported_messages: dict[str, str]

    def start(self, wa_session: WhatsAppSession) -> GatewayState:
        """Create or start the session on the backend."""

    def stop(self, wa_session: WhatsAppSession) -> GatewayState:
        """Stop the session; it can be restarted."""

    def restart(self, wa_session: WhatsAppSession) -> GatewayState:
        """Stop and start again."""

    def status(self, wa_session: WhatsAppSession) -> GatewayState:
        """Ask the backend for the session's current status."""

    def qr(self, wa_session: WhatsAppSession) -> QrCode:
        """The QR code to pair a phone; NoQrCode when there is none to scan."""

    def delete(self, wa_session: WhatsAppSession) -> None:
        """Remove the session from the backend."""

    def send_text(self, wa_session: WhatsAppSession, to: str, text: str) -> SentMessage:
        """Send a text message to `to`: a phone (digits only) or a group chat ("<id>@g.us")."""

    def send_media(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        """Send a media message with a caption to a phone or a group chat."""

    def send_poll(self, wa_session: WhatsAppSession, to: str, poll: Poll) -> SentMessage:
        """Send a poll; MessageTypeUnsupported when the backend has no polls."""

    def send_sticker(self, wa_session: WhatsAppSession, to: str, media: Media) -> SentMessage:
        """Send a WebP image as a sticker."""

    def send_gif(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        """Send an MP4 clip as a GIF (WhatsApp's GIFs are MP4 video)."""

    def list_groups(self, wa_session: WhatsAppSession) -> list[GroupInfo]:
        """The WhatsApp groups the session's number is in; GroupsUnsupported when the backend cannot tell."""

    def create_group(self, wa_session: WhatsAppSession, name: str, participants: list[str]) -> GroupInfo:
        """Create a group with these phones in it."""

    def change_participants(self, wa_session: WhatsAppSession, group_id: str, action: str,
                            phones: list[str]) -> None:
        """Add, remove, promote or demote (PARTICIPANT_ACTIONS) these phones in a group."""

    def find_sent(self, wa_session: WhatsAppSession, to: str, text: str, since: datetime,
                  kind: str = "text") -> SentMessage | None:
        """After a crash during a send: the message of this kind and text we sent to `to` since `since`, or None
        when the backend is sure there is none (so sending again cannot make a duplicate).
        SendLookupUnsupported when the backend cannot tell."""

    def parse_event(self, payload: dict) -> list[GatewayEvents]:
        """Turn one (already authenticated) webhook body into inbound messages, statuses and session status,
        one batch per session it names."""
