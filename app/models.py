"""Imports every domain's table models so SQLModel metadata (and Alembic) see all tables."""

from app.accounts.models import Account
from app.apikeys.models import ApiKey
from app.auth.models import LoginSession, User
from app.jobs.models import Job
from app.sessions.models import WhatsAppSession

__all__ = ["Account", "ApiKey", "Job", "LoginSession", "User", "WhatsAppSession"]
