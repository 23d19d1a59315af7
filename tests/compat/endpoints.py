"""Every endpoint MoltFlow's guides document (core, outreach, AI; and what onboarding and quickstart call), with
whether this service supports it. `supported` ones must be replayed by a test in this folder
(test_coverage.py checks), and README's "MoltFlow compatibility" table is this list."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    guide: str
    supported: bool
    note: str = ""


CORE, OUTREACH, AI, ADMIN = "moltflow", "moltflow-outreach", "moltflow-ai", "moltflow-admin / onboarding"
NO_META_GROUPS = "WAHA and sandbox sessions; 422 on Cloud API sessions, which have no groups API"
NO_LABELS = "labels are out of scope (issue #11)"
NO_VOICE = "voice transcription is out of scope (issue #11)"

ENDPOINTS: dict[str, Endpoint] = {
    # Core: sessions
    "GET /sessions": Endpoint(CORE, True),
    "POST /sessions": Endpoint(CORE, True, "201; sandbox sessions start `working`"),
    "GET /sessions/{id}": Endpoint(CORE, True),
    "DELETE /sessions/{id}": Endpoint(CORE, True),
    "POST /sessions/{id}/start": Endpoint(CORE, True),
    "POST /sessions/{id}/stop": Endpoint(CORE, True),
    "POST /sessions/{id}/restart": Endpoint(CORE, True),
    "POST /sessions/{id}/logout": Endpoint(CORE, True),
    "GET /sessions/{id}/qr": Endpoint(CORE, True, "409 for sandbox and Meta sessions, which have no QR code"),
    "GET /sessions/{id}/events": Endpoint(CORE, True, "SSE"),
    "PATCH /sessions/{id}/settings": Endpoint(CORE, True),
    # Core: messages
    "POST /messages/send": Endpoint(CORE, True, "200 (the seed guide's status), with MoltFlow's fields too"),
    "POST /messages/send/poll": Endpoint(CORE, True, "200; 422 on Cloud API sessions, which have no polls"),
    "POST /messages/send/sticker": Endpoint(CORE, True, "200; `media_url` of a WebP image"),
    "POST /messages/send/gif": Endpoint(CORE, True, "200; `media_url` of an MP4 clip, arrives as a short video"),
    "GET /messages/chats/{session_id}": Endpoint(CORE, True),
    "GET /messages/chat/{session_id}/{chat_id}": Endpoint(CORE, True),
    "GET /messages/{message_id}": Endpoint(CORE, True),
    # Core: group monitoring
    "GET /groups": Endpoint(CORE, True),
    "GET /groups/available/{session_id}": Endpoint(CORE, True, NO_META_GROUPS),
    "POST /groups": Endpoint(CORE, True, "404 for a group the session is not in"),
    "GET /groups/{id}": Endpoint(CORE, True),
    "PATCH /groups/{id}": Endpoint(CORE, True),
    "DELETE /groups/{id}": Endpoint(CORE, True),
    "POST /groups/create": Endpoint(CORE, True, NO_META_GROUPS),
    "POST /groups/{wa_group_id}/participants/add": Endpoint(CORE, True, NO_META_GROUPS),
    "POST /groups/{wa_group_id}/participants/remove": Endpoint(CORE, True, NO_META_GROUPS),
    "POST /groups/{wa_group_id}/admin/promote": Endpoint(CORE, True, NO_META_GROUPS),
    "POST /groups/{wa_group_id}/admin/demote": Endpoint(CORE, True, NO_META_GROUPS),
    # Core: labels
    "GET /labels": Endpoint(CORE, False, NO_LABELS),
    "POST /labels": Endpoint(CORE, False, NO_LABELS),
    "GET /labels/{id}": Endpoint(CORE, False, NO_LABELS),
    "PATCH /labels/{id}": Endpoint(CORE, False, NO_LABELS),
    "DELETE /labels/{id}": Endpoint(CORE, False, NO_LABELS),
    "POST /labels/{id}/sync": Endpoint(CORE, False, NO_LABELS),
    "POST /labels/sync-from-whatsapp": Endpoint(CORE, False, NO_LABELS),
    "GET /labels/business-check": Endpoint(CORE, False, NO_LABELS),
    "GET /labels/{id}/chats": Endpoint(CORE, False, NO_LABELS),
    "GET /labels/chat/{chat_id}": Endpoint(CORE, False, NO_LABELS),
    "PUT /labels/chat/{chat_id}": Endpoint(CORE, False, NO_LABELS),
    # Core: webhooks
    "GET /webhooks": Endpoint(CORE, True),
    "POST /webhooks": Endpoint(CORE, True, "your `secret` signs deliveries"),
    "GET /webhooks/{id}": Endpoint(CORE, True),
    "PATCH /webhooks/{id}": Endpoint(CORE, True),
    "DELETE /webhooks/{id}": Endpoint(CORE, True),
    "POST /webhooks/{id}/test": Endpoint(CORE, True, "202: queued, outcome in /webhooks/{id}/deliveries"),
    # Outreach: custom groups
    "GET /custom-groups": Endpoint(OUTREACH, True),
    "POST /custom-groups": Endpoint(OUTREACH, True),
    "GET /custom-groups/contacts": Endpoint(OUTREACH, True),
    "GET /custom-groups/{id}": Endpoint(OUTREACH, True),
    "PATCH /custom-groups/{id}": Endpoint(OUTREACH, True),
    "DELETE /custom-groups/{id}": Endpoint(OUTREACH, True),
    "POST /custom-groups/{id}/members/add": Endpoint(OUTREACH, True),
    "POST /custom-groups/{id}/members/remove": Endpoint(OUTREACH, True),
    "GET /custom-groups/{id}/export/csv": Endpoint(OUTREACH, True),
    "GET /custom-groups/{id}/export/json": Endpoint(OUTREACH, True),
    # Outreach: bulk send
    "POST /bulk-send": Endpoint(OUTREACH, True),
    "GET /bulk-send": Endpoint(OUTREACH, True),
    "GET /bulk-send/{id}": Endpoint(OUTREACH, True),
    "POST /bulk-send/{id}/pause": Endpoint(OUTREACH, True),
    "POST /bulk-send/{id}/resume": Endpoint(OUTREACH, True),
    "POST /bulk-send/{id}/cancel": Endpoint(OUTREACH, True),
    "GET /bulk-send/{id}/progress": Endpoint(OUTREACH, True, "SSE"),
    # Outreach: scheduled messages
    "GET /scheduled-messages": Endpoint(OUTREACH, True),
    "POST /scheduled-messages": Endpoint(OUTREACH, True),
    "GET /scheduled-messages/{id}": Endpoint(OUTREACH, True),
    "PATCH /scheduled-messages/{id}": Endpoint(OUTREACH, True),
    "POST /scheduled-messages/{id}/cancel": Endpoint(OUTREACH, True),
    "POST /scheduled-messages/{id}/pause": Endpoint(OUTREACH, True),
    "POST /scheduled-messages/{id}/resume": Endpoint(OUTREACH, True),
    "DELETE /scheduled-messages/{id}": Endpoint(OUTREACH, True),
    "GET /scheduled-messages/{id}/history": Endpoint(OUTREACH, True),
    # AI: voice
    "POST /ai/voice/transcribe": Endpoint(AI, False, NO_VOICE),
    "GET /ai/voice/status/{task_id}": Endpoint(AI, False, NO_VOICE),
    "GET /ai/messages/{message_id}/transcript": Endpoint(AI, False, NO_VOICE),
    # AI: knowledge
    "POST /ai/knowledge/ingest": Endpoint(AI, True),
    "POST /ai/knowledge/search": Endpoint(AI, True),
    "GET /ai/knowledge/sources": Endpoint(AI, True),
    "DELETE /ai/knowledge/{source_id}": Endpoint(AI, True),
    # AI: style
    "POST /ai/style/train": Endpoint(AI, True),
    "GET /ai/style/status/{task_id}": Endpoint(AI, True),
    "GET /ai/style/profile": Endpoint(AI, True),
    "GET /ai/style/profiles": Endpoint(AI, True),
    "DELETE /ai/style/profile/{profile_id}": Endpoint(AI, True),
    # AI: replies
    "POST /ai/generate-reply": Endpoint(AI, True),
    "GET /ai/preview": Endpoint(AI, True),
    # Admin and onboarding: what the quickstart script and the onboarding report call
    "GET /auth/me": Endpoint(ADMIN, True),
    "GET /users/me": Endpoint(ADMIN, True),
    "GET /usage/current": Endpoint(ADMIN, True),
    "GET /api-keys": Endpoint(ADMIN, True),
    "POST /api-keys": Endpoint(ADMIN, True),
    "GET /api-keys/{id}": Endpoint(ADMIN, True),
    "DELETE /api-keys/{id}": Endpoint(ADMIN, True),
    "POST /api-keys/{id}/rotate": Endpoint(ADMIN, True),
}


def template_of(endpoint: str) -> str:
    """The listed template a request line matches ("GET /sessions/abc" -> "GET /sessions/{id}")."""
    if endpoint in ENDPOINTS:
        return endpoint
    for template in ENDPOINTS:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, endpoint):
            return template
    raise KeyError(f"{endpoint} is not a documented endpoint; add it to tests/compat/endpoints.py")
