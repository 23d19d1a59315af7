"""Imports every domain's table models so SQLModel metadata (and Alembic) see all tables."""

from app.accounts.models import Account
from app.apikeys.models import ApiKey
from app.auth.models import LoginSession, User
from app.jobs.models import Job
from app.bulk.models import BulkJob, BulkRecipient
from app.groups.models import ContactGroup, ContactGroupMember
from app.scheduled.models import ScheduledMessage
from app.webhooks.models import Webhook, WebhookDelivery
from app.kb.models import Chunk, Document, DocumentFile, IndexState
from app.sessions.models import WhatsAppSession
from app.messages.models import Message
from app.styles.models import StyleProfile
from app.autoreply.models import AutoReplySettings, ChatState, Reply

__all__ = ["Account", "ApiKey", "Chunk", "Document", "DocumentFile", "IndexState", "Job", "LoginSession", "User",
           "WhatsAppSession"]
__all__ += ["Message"]
__all__ += ["StyleProfile", "AutoReplySettings", "ChatState", "Reply"]
__all__ += ["BulkJob", "BulkRecipient", "ContactGroup", "ContactGroupMember", "ScheduledMessage", "Webhook",
            "WebhookDelivery"]
