"""Account details and plan changes."""

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from app.accounts.models import Account
from app.accounts.plans import PLAN_NAMES, PLANS
from app.accounts.schemas import AccountPublic, PlanLimits, Usage
from app.errors import NotFound, Unprocessable
from app.state import Services


def _count(session: Session, table_name: str, account_id: str) -> int:
    table = SQLModel.metadata.tables.get(table_name)
    if table is None:
        return 0
    return int(session.execute(select(func.count()).select_from(table)
                               .where(table.c.account_id == account_id)).scalar_one())


def describe_account(session: Session, services: Services, account_id: str) -> AccountPublic:
    account = session.get(Account, account_id)
    plan = PLANS[account.plan]
    limit = services.settings.rate_limit_for(account.plan)
    return AccountPublic(
        id=account.id, name=account.name, plan=account.plan, created_at=account.created_at,
        limits=PlanLimits(requests_per_hour=limit, max_sessions=plan.max_sessions,
                          max_documents=plan.max_documents, features=sorted(plan.features)),
        usage=Usage(requests_this_hour=services.rate_limiter.used(account.id, limit),
                    sessions=_count(session, "wa_sessions", account.id),
                    documents=_count(session, "kb_documents", account.id)),
    )


def set_plan(session: Session, account_id: str, plan: str) -> Account:
    if plan not in PLAN_NAMES:
        raise Unprocessable(f"unknown plan {plan!r}; choose one of {', '.join(PLAN_NAMES)}")
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account {account_id!r}")
    account.plan = plan
    session.add(account)
    session.flush()
    return account
