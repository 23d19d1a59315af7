"""The one list of webhook events; every area that emits one names it from here."""

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

EVENTS: tuple[str, ...] = (
    MESSAGE_RECEIVED, MESSAGE_SENT, MESSAGE_STATUS, SESSION_STATUS,
    AI_REPLY_SENT, AI_REPLY_DRAFTED, AI_HANDOFF, DOCUMENT_READY, DOCUMENT_FAILED,
)

WebhookEvent = Literal[
    "message.received", "message.sent", "message.status", "session.status",
    "ai.reply.sent", "ai.reply.drafted", "ai.handoff", "document.ready", "document.failed",
]
