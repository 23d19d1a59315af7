"""The one list of webhook events; every area that emits one names it from here.

MoltFlow's guides name some events more finely than ours (`session.connected` for a `session.status` that became
working, `message.read` for a `message.status` that became read); those are derived from ours when emitted, so a
subscriber may use either vocabulary."""

from typing import Literal

MESSAGE_RECEIVED = "message.received"
MESSAGE_SENT = "message.sent"
MESSAGE_STATUS = "message.status"
SESSION_STATUS = "session.status"
AI_REPLY_SENT = "ai.reply.sent"
AI_REPLY_DRAFTED = "ai.reply.drafted"
AI_HANDOFF = "ai.handoff"
DOCUMENT_READY = "document.ready"
DOCUMENT_FAILED = "document.failed"
# MoltFlow's names, derived from ours by `derived_events` (but group.message).
SESSION_CONNECTED = "session.connected"
SESSION_DISCONNECTED = "session.disconnected"
MESSAGE_DELIVERED = "message.delivered"
MESSAGE_READ = "message.read"
# Sent by app/monitoring/watch.py for a message a monitored group's mode captures (not derived from ours).
GROUP_MESSAGE = "group.message"
# Accepted so MoltFlow subscriptions save, but never sent: this service has no lead detection.
LEAD_DETECTED = "lead.detected"
# Sent only by POST /webhooks/{id}/test, to that webhook, whatever it subscribes to.
WEBHOOK_TEST = "webhook.test"

EVENTS: tuple[str, ...] = (
    MESSAGE_RECEIVED, MESSAGE_SENT, MESSAGE_STATUS, SESSION_STATUS,
    AI_REPLY_SENT, AI_REPLY_DRAFTED, AI_HANDOFF, DOCUMENT_READY, DOCUMENT_FAILED,
    SESSION_CONNECTED, SESSION_DISCONNECTED, MESSAGE_DELIVERED, MESSAGE_READ, GROUP_MESSAGE, LEAD_DETECTED,
)

WebhookEvent = Literal[
    "message.received", "message.sent", "message.status", "session.status",
    "ai.reply.sent", "ai.reply.drafted", "ai.handoff", "document.ready", "document.failed",
    "session.connected", "session.disconnected", "message.delivered", "message.read", "group.message",
    "lead.detected",
]

_SESSION_DOWN = {"stopped", "failed"}


def derived_events(event: str, data: dict) -> list[str]:
    """The finer MoltFlow events one of ours also counts as."""
    status = data.get("status")
    if event == SESSION_STATUS:
        if status == "working":
            return [SESSION_CONNECTED]
        return [SESSION_DISCONNECTED] if status in _SESSION_DOWN and data.get("previous_status") == "working" else []
    if event == MESSAGE_STATUS:
        return {"delivered": [MESSAGE_DELIVERED], "read": [MESSAGE_READ]}.get(status, [])
    return []
