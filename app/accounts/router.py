from fastapi import APIRouter

from app.accounts import me, service
from app.accounts.schemas import AccountPublic, MePublic, UsagePublic
from app.deps import CurrentPrincipal, ServicesDep, SessionDep

router = APIRouter(tags=["Account"])


@router.get("/auth/me", response_model=MePublic)
@router.get("/users/me", response_model=MePublic)
def get_me(principal: CurrentPrincipal, session: SessionDep) -> MePublic:
    """Who is calling: the user (for an API key, the account owner it acts for), account, plan and scopes."""
    return me.describe_me(session, principal)


@router.get("/usage/current", response_model=UsagePublic)
def get_usage(principal: CurrentPrincipal, session: SessionDep, services: ServicesDep) -> UsagePublic:
    """Messages sent this month and requests this hour, against the plan."""
    return me.current_usage(session, services, principal)


@router.get("/account", response_model=AccountPublic)
def get_account(principal: CurrentPrincipal, session: SessionDep, services: ServicesDep) -> AccountPublic:
    """The caller's account: plan, limits and usage this hour."""
    return service.describe_account(session, services, principal.account_id)
