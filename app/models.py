"""Imports every domain's table models so SQLModel metadata (and Alembic) see all tables."""

from app.accounts.models import Account
from app.apikeys.models import ApiKey
from app.auth.models import LoginSession, User
from app.autoreply.models import AutoReplySettings, ChatState, Reply
from app.bulk.models import BulkJob, BulkRecipient
from app.groups.models import ContactGroup, ContactGroupMember
from app.jobs.models import Job, WorkerProcess
from app.kb.models import Chunk, Document, DocumentFile, IndexState
from app.messages.models import Message
from app.monitoring.models import MonitoredGroup
from app.scheduled.models import ScheduledMessage
from app.sessions.models import WhatsAppSession
from app.styles.models import StyleProfile
from app.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "Account", "ApiKey", "AutoReplySettings", "BulkJob", "BulkRecipient", "ChatState", "Chunk", "ContactGroup",
    "ContactGroupMember", "Document", "DocumentFile", "IndexState", "Job", "LoginSession", "Message", "MonitoredGroup",
    "Reply",
    "WorkerProcess",
    "ScheduledMessage", "StyleProfile", "User", "Webhook", "WebhookDelivery", "WhatsAppSession",
]
