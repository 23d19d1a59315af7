"""Home (what needs attention today) and the account page (plan and usage)."""

from fastapi import APIRouter, Request

from app.accounts import service as accounts_service
from app.dashboard import overview
from app.dashboard.login import User
from app.dashboard.web import DashboardRoute, render
from app.deps import ServicesDep, SessionDep
from app.sessions import service as sessions_service

router = APIRouter(route_class=DashboardRoute, include_in_schema=False)


@router.get("/")
def home(request: Request, user: User, session: SessionDep):
    """Sessions, today's replies by outcome, documents by status and failed webhook deliveries."""
    context = dict(
        sessions=sessions_service.list_sessions(session, user.account_id),
        replies=overview.replies_today(session, user.account_id),
        documents=overview.documents_by_status(session, user.account_id),
        failed=overview.failed_deliveries(session, user.account_id),
    )
    # The counts refresh themselves: new replies and hand-offs appear without reloading.
    return render(request, "_home_body.html" if request.query_params.get("part") else "home.html", **context)


@router.get("/account")
def account(request: Request, user: User, session: SessionDep, services: ServicesDep):
    return render(request, "account.html", account=accounts_service.describe_account(session, services,
                                                                                    user.account_id))
