from fastapi import APIRouter

from app.accounts import service
from app.accounts.schemas import AccountPublic
from app.deps import CurrentPrincipal, ServicesDep, SessionDep

router = APIRouter(prefix="/account", tags=["Account"])


@router.get("", response_model=AccountPublic)
def get_account(principal: CurrentPrincipal, session: SessionDep, services: ServicesDep) -> AccountPublic:
    """The caller's account: plan, limits and usage this hour."""
    return service.describe_account(session, services, principal.account_id)
