"""The WAHA gateway: a client of a WAHA server (devlikeapro/waha) and a parser of its webhook events."""

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from app.config import Settings
from app.gateways.base import (FAILED, QR_CODE, STOPPED, WORKING, GatewayError, GatewayEvents, GatewayState,
                               GroupInfo, GroupNotFound, InboundMessage, Media, NoQrCode, Poll, QrCode,
                               SendLookupUnsupported, SentMessage, SessionNotConnected, StatusUpdate, is_group_chat)
from app.gateways.waha_groups import parse_group, parse_groups
from app.gateways.http import call, json_body
from app.sessions.models import WhatsAppSession

# STARTING is shown as qr_code: the session is on its way to pairing, not stopped or failed.
WAHA_STATUSES = {"WORKING": WORKING, "SCAN_QR_CODE": QR_CODE, "STARTING": QR_CODE, "STOPPED": STOPPED,
                 "FAILED": FAILED}
# message.ack: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED.
WAHA_ACKS = {-1: "failed", 1: "sent", 2: "delivered", 3: "read", 4: "read"}
MEDIA_ENDPOINTS = {"image": "/api/sendImage"}
# Looking up an interrupted send: this many of the chat's latest own messages, from a little before the attempt
# (the WAHA host's clock may be behind ours).
LOOKUP_LIMIT = 50
CLOCK_SKEW_SECONDS = 120


def waha_session_name(wa_session: WhatsAppSession) -> str:
    return wa_session.config.get("session") or f"rb-{wa_session.id}"


def chat_id(to: str) -> str:
    """WAHA's chatId: "<phone>@c.us" for a person; a group's "<id>@g.us" as it is."""
    return to if is_group_chat(to) else f"{to}@c.us"


def phone_from_jid(jid: str) -> str:
    return jid.split("@", 1)[0].split(":", 1)[0]


def uses_own_server(settings: Settings, wa_session: WhatsAppSession) -> bool:
    """True when an API user gave this session its own WAHA base_url, not the operator's REPLYBASE_WAHA_URL."""
    own = (wa_session.config.get("base_url") or "").rstrip("/")
    return bool(own) and own != settings.waha_url.rstrip("/")


def callback_secret(settings: Settings, wa_session: WhatsAppSession | None) -> str:
    """The HMAC key that events for this session are signed with: its own, or the operator's."""
    if wa_session is not None and uses_own_server(settings, wa_session):
        return wa_session.config.get("webhook_secret", "")
    return settings.waha_webhook_secret


def verify_signature(secret: str, body: bytes, signature: str | None, algorithm: str | None) -> bool:
    """WAHA signs the raw body: X-Webhook-Hmac = HMAC-SHA512 hex, X-Webhook-Hmac-Algorithm = sha512."""
    if not secret or not signature or (algorithm or "sha512").lower() != "sha512":
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())  # bytes: any header text


def _message_id(body: dict) -> str | None:
    # WEBJS returns {"id": {"_serialized": ...}}, NOWEB {"key": {"id": ...}}, GOWS {"id": "..."}.
    raw = body.get("id")
    if isinstance(raw, dict):
        return raw.get("_serialized") or raw.get("id")
    if isinstance(raw, str) and raw:
        return raw
    key = body.get("key")
    return key.get("id") if isinstance(key, dict) else None


def _file(media: Media) -> dict:
    # The checked bytes, base64, not the URL: WAHA runs on our network and must not fetch user URLs itself.
    return {"data": base64.b64encode(media.content).decode(), "mimetype": media.mimetype, "filename": media.filename}


class WahaGateway:
    kind = "waha"
    unsupported_messages: dict[str, str] = {}

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _base(self, wa_session: WhatsAppSession) -> str:
        return (wa_session.config.get("base_url") or self.settings.waha_url).rstrip("/")

    def _request(self, wa_session: WhatsAppSession, method: str, path: str, **kwargs) -> httpx.Response:
        own_server = uses_own_server(self.settings, wa_session)
        # The operator's key is for the operator's server; a session's own server gets only the session's key.
        api_key = wa_session.config.get("api_key") or (None if own_server else self.settings.waha_api_key)
        headers = {"Accept": "application/json", **({"X-Api-Key": api_key} if api_key else {})}
        guard = own_server and not self.settings.allow_private_urls  # an API user's URL: public addresses only
        response = call("WAHA", method, self._base(wa_session) + path, headers=headers,
                        timeout=self.settings.gateway_timeout_seconds,
                        public_only="WAHA base_url" if guard else None, **kwargs)
        if response.status_code in (401, 403):
            raise GatewayError("WAHA refused the API key; set api_key on the session or REPLYBASE_WAHA_API_KEY")
        if response.status_code >= 500:
            raise GatewayError(f"WAHA failed with HTTP {response.status_code}; try again later")
        return response

    def _state(self, body: dict) -> GatewayState:
        me = body.get("me") or {}
        phone = phone_from_jid(me["id"]) if isinstance(me, dict) and me.get("id") else None
        return GatewayState(WAHA_STATUSES.get(str(body.get("status")), FAILED), phone)

    def _webhooks(self, wa_session: WhatsAppSession) -> list[dict]:
        if not self.settings.public_url:
            return []
        hook = {"url": self.settings.public_url.rstrip("/") + "/api/v2/gateways/waha/events",
                "events": ["message", "message.ack", "session.status"]}
        if secret := callback_secret(self.settings, wa_session):
            hook["hmac"] = {"key": secret}
        return [hook]

    def start(self, wa_session: WhatsAppSession) -> GatewayState:
        if uses_own_server(self.settings, wa_session) and "webhook_secret" not in wa_session.config:
            # Its own server must not learn the operator's secret (it could sign events for any session).
            # start() runs first for a new session; the caller stores the session with this config.
            wa_session.config = {**wa_session.config, "webhook_secret": secrets.token_urlsafe(32)}
        name = waha_session_name(wa_session)
        created = self._request(wa_session, "POST", "/api/sessions",
                                json={"name": name, "start": True,
                                      "config": {"webhooks": self._webhooks(wa_session)}})
        if created.status_code == 422:  # it already exists on this WAHA server: start it
            self._request(wa_session, "POST", f"/api/sessions/{name}/start")
        elif created.status_code >= 400:
            raise GatewayError(f"WAHA refused to create session {name!r} (HTTP {created.status_code})")
        return self.status(wa_session)

    def stop(self, wa_session: WhatsAppSession) -> GatewayState:
        response = self._request(wa_session, "POST", f"/api/sessions/{waha_session_name(wa_session)}/stop")
        return self._state(json_body("WAHA", response)) if response.status_code < 400 else GatewayState(STOPPED)

    def restart(self, wa_session: WhatsAppSession) -> GatewayState:
        response = self._request(wa_session, "POST", f"/api/sessions/{waha_session_name(wa_session)}/restart")
        if response.status_code == 404:
            return self.start(wa_session)
        return self._state(json_body("WAHA", response))

    def status(self, wa_session: WhatsAppSession) -> GatewayState:
        response = self._request(wa_session, "GET", f"/api/sessions/{waha_session_name(wa_session)}")
        if response.status_code == 404:
            return GatewayState(STOPPED)
        return self._state(json_body("WAHA", response))

    def qr(self, wa_session: WhatsAppSession) -> QrCode:
        response = self._request(wa_session, "GET", f"/api/{waha_session_name(wa_session)}/auth/qr",
                                 params={"format": "image"})
        if response.status_code >= 400:
            raise NoQrCode("WAHA has no QR code for this session; it is connected or not started "
                           "(POST /sessions/{id}/restart)")
        body = json_body("WAHA", response)
        return QrCode(body.get("mimetype", "image/png"), body.get("data", ""))

    def delete(self, wa_session: WhatsAppSession) -> None:
        self._request(wa_session, "DELETE", f"/api/sessions/{waha_session_name(wa_session)}")

    def _send(self, wa_session: WhatsAppSession, path: str, body: dict) -> SentMessage:
        body = {"session": waha_session_name(wa_session), **body}
        response = self._request(wa_session, "POST", path, json=body)
        if response.status_code == 422:
            raise SessionNotConnected(f"WAHA says session {body['session']!r} is not connected; "
                                      "check its status and scan the QR code (GET /sessions/{id}/qr)")
        if response.status_code >= 400:
            raise GatewayError(f"WAHA refused the message (HTTP {response.status_code})")
        message_id = _message_id(json_body("WAHA", response))
        if not message_id:
            raise GatewayError("WAHA accepted the message but returned no message id")
        return SentMessage(message_id)

    def send_text(self, wa_session: WhatsAppSession, to: str, text: str) -> SentMessage:
        return self._send(wa_session, "/api/sendText", {"chatId": chat_id(to), "text": text})

    def send_media(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        path = MEDIA_ENDPOINTS.get(media.kind, "/api/sendFile")
        return self._send(wa_session, path, {"chatId": chat_id(to), "file": _file(media), "caption": caption})

    def send_poll(self, wa_session: WhatsAppSession, to: str, poll: Poll) -> SentMessage:
        return self._send(wa_session, "/api/sendPoll", {"chatId": chat_id(to), "poll": {
            "name": poll.title, "options": list(poll.options), "multipleAnswers": poll.allow_multiple}})

    def send_sticker(self, wa_session: WhatsAppSession, to: str, media: Media) -> SentMessage:
        return self._send(wa_session, "/api/sendSticker", {"chatId": chat_id(to), "file": _file(media)})

    def send_gif(self, wa_session: WhatsAppSession, to: str, media: Media, caption: str) -> SentMessage:
        # WAHA's sendVideo has no GIF flag: the clip arrives as a short video (asNote false: not a round video note).
        return self._send(wa_session, "/api/sendVideo", {"chatId": chat_id(to), "file": _file(media),
                                                         "caption": caption, "asNote": False, "convert": False})

    def _groups_call(self, wa_session: WhatsAppSession, method: str, path: str, **kwargs) -> httpx.Response:
        response = self._request(wa_session, method, f"/api/{waha_session_name(wa_session)}/groups{path}", **kwargs)
        if response.status_code == 422:
            raise SessionNotConnected("WAHA says the session is not connected; its groups cannot be read or changed")
        if response.status_code == 404 and path:
            raise GroupNotFound("WAHA does not know this group for the session's number")
        if response.status_code >= 400:
            raise GatewayError(f"WAHA refused the groups request (HTTP {response.status_code})")
        return response

    def list_groups(self, wa_session: WhatsAppSession) -> list[GroupInfo]:
        response = self._groups_call(wa_session, "GET", "")
        try:
            return parse_groups(response.json())
        except (ValueError, TypeError, AttributeError):
            raise GatewayError("WAHA answered GET /groups with a body that is not a list of groups") from None

    def create_group(self, wa_session: WhatsAppSession, name: str, participants: list[str]) -> GroupInfo:
        response = self._groups_call(wa_session, "POST", "", json={
            "name": name, "participants": [{"id": chat_id(phone)} for phone in participants]})
        group = parse_group(json_body("WAHA", response), fallback_name=name)
        if group is None:
            raise GatewayError("WAHA created the group but returned no group id")
        return group

    def change_participants(self, wa_session: WhatsAppSession, group_id: str, action: str,
                            phones: list[str]) -> None:
        path = {"add": "participants/add", "remove": "participants/remove", "promote": "admin/promote",
                "demote": "admin/demote"}[action]
        self._groups_call(wa_session, "POST", f"/{quote(group_id, safe='@.')}/{path}",
                          json={"participants": [{"id": chat_id(phone)} for phone in phones]})

    def find_sent(self, wa_session: WhatsAppSession, to: str, text: str, since: datetime,
                  kind: str = "text") -> SentMessage | None:
        """Look the message up in the chat's history on the WAHA server (messages we sent since `since`)."""
        if kind not in ("text", "media"):
            # A poll, sticker or GIF has no text of its own to find it by in the history.
            raise SendLookupUnsupported(f"WAHA's chat history cannot tell whether an interrupted {kind} went out")
        path = f"/api/{waha_session_name(wa_session)}/chats/{quote(chat_id(to), safe='')}/messages"
        params = {"limit": LOOKUP_LIMIT, "downloadMedia": "false", "filter.fromMe": "true",
                  "filter.timestamp.gte": int(since.timestamp()) - CLOCK_SKEW_SECONDS}
        response = self._request(wa_session, "GET", path, params=params)
        if response.status_code == 422:
            raise SessionNotConnected("WAHA says the session is not connected; its chat history cannot be read")
        if response.status_code >= 400:
            raise GatewayError(f"WAHA refused to list the chat's messages (HTTP {response.status_code})")
        for message in json_body("WAHA", response, expected=list):
            if isinstance(message, dict) and message.get("fromMe") and message.get("body") == text:
                message_id = _message_id(message)
                if message_id:
                    return SentMessage(message_id)
        return None

    def parse_event(self, payload: dict) -> list[GatewayEvents]:
        event, body = payload.get("event"), payload.get("payload") or {}
        events = GatewayEvents(session_ref=payload.get("session"))
        if event == "session.status":
            events.session_status = WAHA_STATUSES.get(str(body.get("status")), FAILED)
        elif event in ("message", "message.any") and not body.get("fromMe") and body.get("id"):
            # message.any also repeats our own sends (fromMe); those are already stored.
            media = body.get("media") or {}
            timestamp = body.get("timestamp")
            sender = str(body.get("from", ""))
            group_id = sender if is_group_chat(sender) else None
            author = str(body.get("participant") or body.get("author") or "") if group_id else sender
            events.messages.append(InboundMessage(
                gateway_message_id=str(body["id"]), phone=phone_from_jid(author), group_id=group_id,
                text=body.get("body") or "", name=(body.get("_data") or {}).get("notifyName"),
                media_url=media.get("url") if body.get("hasMedia") else None,
                media_type=media.get("mimetype") if body.get("hasMedia") else None,
                timestamp=datetime.fromtimestamp(timestamp, UTC) if isinstance(timestamp, int | float) else None,
            ))
        elif event == "message.ack" and body.get("id") and body.get("ack") in WAHA_ACKS:
            events.statuses.append(StatusUpdate(str(body["id"]), WAHA_ACKS[body["ack"]]))
        return [events]
