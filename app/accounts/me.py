"""Who is calling and what they used: the profile and usage views MoltFlow clients read first."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from app.accounts.models import Account
from app.accounts.plans import PLANS
from app.accounts.schemas import MePublic, UsagePublic
from app.auth.models import User
from app.auth.principal import Principal
from app.messages.models import Message
from app.state import Services


def describe_me(session: Session, principal: Principal) -> MePublic:
    """The logged-in user; for an API key, the account's owner (its first user), whom the key acts for."""
    account = session.get(Account, principal.account_id)
    query = select(User).where(User.account_id == account.id)
    user = (session.get(User, principal.user_id) if principal.user_id
            else session.execute(query.order_by(User.created_at, User.id).limit(1)).scalars().first())
    return MePublic(id=user.id if user else None, email=user.email if user else None, role="owner",
                    tenant_id=account.id, account_id=account.id, account_name=account.name, plan=account.plan,
                    scopes=sorted(principal.scopes), auth="api_key" if principal.api_key_id else "jwt",
                    created_at=user.created_at if user else account.created_at)


def current_usage(session: Session, services: Services, principal: Principal) -> UsagePublic:
    """Messages sent this calendar month (UTC) against the plan, and this hour's requests."""
    account = session.get(Account, principal.account_id)
    now = datetime.now(UTC)
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    sent = session.execute(select(func.count()).select_from(Message).where(
        Message.account_id == account.id, Message.direction == "out", Message.created_at >= month_start)).scalar_one()
    limit = services.settings.rate_limit_for(account.plan)
    plan = PLANS[account.plan]
    return UsagePublic(plan=account.plan, period_start=month_start, total_messages=int(sent), limit_messages=None,
                       usage_percentage=None, requests_this_hour=services.rate_limiter.used(account.id, limit),
                       limit_requests_per_hour=limit, max_sessions=plan.max_sessions)
