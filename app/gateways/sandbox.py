"""The sandbox gateway: an in-process stand-in for WhatsApp so the whole product runs on one machine."""

import secrets
from datetime import datetime

from app.config import Settings
from app.gateways.base import (STOPPED, WORKING, GatewayEvents, GatewayState, InboundMessage, Media, NoQrCode,
                               QrCode, SentMessage, StatusUpdate)
from app.sessions.models import WhatsAppSession


def sandbox_phone_number() -> str:
    """A number in the US fictional 555 range, so it can never reach a real person."""
    return "1555" + f"{secrets.randbelow(10**7):07d}"


class SandboxGateway:
    """Sessions are working at once; sends succeed with a fresh wamid; customer messages come from /sandbox."""

    kind = "sandbox"

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

    def find_sent(self, wa_session: WhatsAppSession, to: str, text: str, since: datetime) -> SentMessage | None:
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
