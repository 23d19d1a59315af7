"""The Meta gateway: the WhatsApp Cloud API (Graph /{phone_number_id}/messages) and its webhook payloads."""

import hashlib
import hmac
from datetime import UTC, datetime

from app.config import Settings
from app.gateways.base import (GROUP_SUFFIX, STOPPED, WORKING, GatewayError, GatewayEvents, GatewayState,
                               GroupInfo, GroupsUnsupported, InboundMessage, Media, MessageTypeUnsupported, NoQrCode,
                               OutsideCustomerWindow, Poll, QrCode, SendLookupUnsupported, SentMessage, StatusUpdate,
                               is_group_chat)
from app.gateways.http import call, json_body
from app.sessions.models import WhatsAppSession

# Graph error code for a free-form message outside the 24-hour customer service window.
REENGAGEMENT_REQUIRED = 131047
META_STATUSES = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
MEDIA_TYPES = ("image", "document", "audio", "video")
NO_POLLS = "The WhatsApp Cloud API has no poll messages; use a WAHA or sandbox session to send polls"
NO_GROUPS = ("The WhatsApp Cloud API gives no way to list or manage the number's WhatsApp groups; use a WAHA or "
             "sandbox session for group monitoring and group management")


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 = "sha256=" + HMAC-SHA256 hex of the raw body, keyed with the app secret."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.removeprefix("sha256=").strip().lower().encode())


def _timestamp(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError):
        return None


def _text_of(message: dict) -> tuple[str, str | None, str | None]:
    """Text, media id and media type of one inbound Cloud API message."""
    kind = message.get("type")
    if kind == "text":
        return (message.get("text") or {}).get("body", ""), None, None
    if kind in MEDIA_TYPES or kind == "sticker":
        media = message.get(kind) or {}
        return media.get("caption", ""), media.get("id"), media.get("mime_type")
    if kind == "button":
        return (message.get("button") or {}).get("text", ""), None, None
    return "", None, None


class MetaGateway:
    kind = "meta"
    unsupported_messages: dict[str, str] = {"poll": NO_POLLS}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _request(self, wa_session: WhatsAppSession, method: str, path: str, json: dict | None = None) -> dict:
        token = wa_session.config.get("access_token", "")
        response = call("The WhatsApp Cloud API", method, self.settings.meta_graph_url.rstrip("/") + path,
                        headers={"Authorization": f"Bearer {token}"}, json=json,
                        timeout=self.settings.gateway_timeout_seconds)
        body = json_body("The WhatsApp Cloud API", response)
        if response.status_code < 400:
            return body
        error = body.get("error") or {}
        code, message = error.get("code"), error.get("message", "unknown error")
        if code == REENGAGEMENT_REQUIRED:
            raise OutsideCustomerWindow()
        if code == 190 or response.status_code == 401:
            raise GatewayError(f"Meta refused the access token: {message}; update the session's access_token")
        raise GatewayError(f"The WhatsApp Cloud API refused the request (HTTP {response.status_code}, "
                           f"code {code}): {message}")

    def start(self, wa_session: WhatsAppSession) -> GatewayState:
        """Check the number and token by reading the phone number's display number."""
        body = self._request(wa_session, "GET", f"/{wa_session.config['phone_number_id']}")
        digits = "".join(ch for ch in str(body.get("display_phone_number", "")) if ch.isdigit())
        return GatewayState(WORKING, digits or wa_session.phone_number)

    def stop(self, wa_session: WhatsAppSession) -> GatewayState:
        # The Cloud API has no session to stop; a stopped session simply refuses to send.
        return GatewayState(STOPPED, wa_session.phone_number)

    def restart(self, wa_session: WhatsAppSession) -> GatewayState:
        return self.start(wa_session)

    def status(self, wa_session: WhatsAppSession) -> GatewayState:
        return GatewayState(wa_session.status, wa_session.phone_number)

    def qr(self, wa_session: WhatsAppSession) -> QrCode:
        raise NoQrCode("Cloud API numbers are registered in Meta's WhatsApp Manager and have no QR code")

    def delete(self, wa_session: WhatsAppSession) -> None:
        return None

    def _send(self, wa_session: WhatsAppSession, to: str, body: dict) -> SentMessage:
        # The Groups API takes the group id as `to` with recipient_type "group"; we keep groups as "<id>@g.us".
        recipient = ({"recipient_type": "group", "to": to.removesuffix(GROUP_SUFFIX)} if is_group_chat(to)
                     else {"recipient_type": "individual", "to": to})
        body = {"messaging_product": "whatsapp", **recipient, **body}
        answer = self._request(wa_session, "POST", f"/{wa_session.config['phone_number_id']}/messages", json=body)
        messages = answer.get("messages") or [{}]
        if not messages[0].get("id"):
            raise GatewayError("The WhatsApp Cloud API accepted the message but returned no message id")
        return SentMessage(messages[0]["id"])

    def send_text(self, wa_session: WhatsAppSession, to: str, text: str) -> SentMessage:
        return self._send(wa_session, to, {"type": "text", "text": {"body": text}})

    def send_media(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        part: dict = {"link": media.url}
        if media.kind != "audio":  # audio messages take no caption
            part["caption"] = caption
        if media.kind == "document":
            part["filename"] = media.filename
        return self._send(wa_session, to, {"type": media.kind, media.kind: part})

    def send_poll(self, wa_session: WhatsAppSession, to: str, poll: Poll) -> SentMessage:
        raise MessageTypeUnsupported(NO_POLLS)

    def send_sticker(self, wa_session: WhatsAppSession, to: str, media: Media) -> SentMessage:
        return self._send(wa_session, to, {"type": "sticker", "sticker": {"link": media.url}})

    def send_gif(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        # The Cloud API has no GIF type or flag: the MP4 goes as a video message.
        return self._send(wa_session, to, {"type": "video", "video": {"link": media.url, "caption": caption}})

    def list_groups(self, wa_session: WhatsAppSession) -> list[GroupInfo]:
        raise GroupsUnsupported(NO_GROUPS)

    def create_group(self, wa_session: WhatsAppSession, name: str, participants: list[str]) -> GroupInfo:
        raise GroupsUnsupported(NO_GROUPS)

    def change_participants(self, wa_session: WhatsAppSession, group_id: str, action: str,
                            phones: list[str]) -> None:
        raise GroupsUnsupported(NO_GROUPS)

    def find_sent(self, wa_session: WhatsAppSession, to: str, text: str, since: datetime,
                  kind: str = "text") -> SentMessage | None:
        raise SendLookupUnsupported("The WhatsApp Cloud API has no way to list sent messages, so an interrupted "
                                    "send cannot be checked; it is marked unknown and never sent again")

    def parse_event(self, payload: dict) -> list[GatewayEvents]:
        """One Meta callback may carry changes for several numbers: one GatewayEvents per phone number id."""
        batches = []
        for entry in payload.get("entry") or []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                events = GatewayEvents(session_ref=(value.get("metadata") or {}).get("phone_number_id"))
                names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in value.get("contacts") or []}
                for message in value.get("messages") or []:
                    text, media_id, media_type = _text_of(message)
                    group_id = message.get("group_id")  # set on Groups API messages; `from` is the member
                    events.messages.append(InboundMessage(
                        gateway_message_id=message.get("id", ""), phone=message.get("from", ""), text=text,
                        name=names.get(message.get("from")), media_url=media_id, media_type=media_type,
                        timestamp=_timestamp(message.get("timestamp")),
                        group_id=f"{group_id}{GROUP_SUFFIX}" if group_id else None))
                for status in value.get("statuses") or []:
                    if status.get("status") in META_STATUSES and status.get("id"):
                        errors = status.get("errors") or [{}]
                        events.statuses.append(StatusUpdate(status["id"], META_STATUSES[status["status"]],
                                                            errors[0].get("title") or errors[0].get("message")))
                batches.append(events)
        return batches
