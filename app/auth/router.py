from fastapi import APIRouter, Depends, status

from app.auth import service
from app.auth.schemas import LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest, RegisterResponse, TokenPair
from app.deps import CurrentPrincipal, ServicesDep, SessionDep
from app.errors import Conflict, Forbidden, Unauthorized, error_responses
from app.throttling import AddressThrottle, TooManyAttempts, throttle_login_account

router = APIRouter(prefix="/auth", tags=["Auth"])
LOGIN_THROTTLES = [Depends(AddressThrottle("login", "login attempts")), Depends(throttle_login_account)]


@router.post("/register", status_code=status.HTTP_201_CREATED, response_model=RegisterResponse,
             responses=error_responses(Forbidden, Conflict, TooManyAttempts),
             dependencies=[Depends(AddressThrottle("register", "sign-ups"))])
def register(body: RegisterRequest, session: SessionDep, services: ServicesDep) -> RegisterResponse:
    """Create an account and its owner (open when sign-up is allowed, or for the first account)."""
    account, user = service.register(session, body, allow_signup=services.settings.allow_signup)
    return RegisterResponse(account_id=account.id, user_id=user.id, email=user.email, plan=account.plan)


@router.post("/login", response_model=TokenPair, responses=error_responses(Unauthorized, TooManyAttempts),
             dependencies=LOGIN_THROTTLES)
def login(body: LoginRequest, session: SessionDep, services: ServicesDep) -> TokenPair:
    """Exchange email and password for a 15-minute access token and a refresh token."""
    settings = services.settings
    return service.login(session, email=body.email, password=body.password, secret=services.jwt_secret,
                         access_ttl=settings.access_token_ttl_seconds,
                         refresh_ttl=settings.refresh_token_ttl_seconds)


@router.post("/refresh", response_model=TokenPair, responses=error_responses(Unauthorized, TooManyAttempts),
             dependencies=[Depends(AddressThrottle("refresh", "token refreshes"))])
def refresh(body: RefreshRequest, session: SessionDep, services: ServicesDep) -> TokenPair:
    """Rotate a refresh token: the old one stops working."""
    return service.refresh(session, refresh_token=body.refresh_token, secret=services.jwt_secret,
                           access_ttl=services.settings.access_token_ttl_seconds)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Unauthorized))
def logout(principal: CurrentPrincipal, session: SessionDep, body: LogoutRequest | None = None) -> None:
    """End the current login; its refresh token and access tokens stop working."""
    service.logout(session, principal, body.refresh_token if body else None)
