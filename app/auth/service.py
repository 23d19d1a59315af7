"""Registration, login, token rotation and turning credentials into a Principal. Flushes, never commits."""

from datetime import timedelta

import jwt
from sqlmodel import Session, func, or_, select, update

from app.accounts.models import Account
from app.apikeys.models import ApiKey
from app.apikeys.scopes import ALL_SCOPES
from app.auth import tokens
from app.auth.models import LoginSession, User
from app.auth.passwords import hash_password, verify_password
from app.auth.principal import Principal
from app.auth.schemas import RegisterRequest, TokenPair
from app.common import utcnow
from app.errors import Conflict, Forbidden, Unauthorized

INVALID_API_KEY = "Invalid API key"
INVALID_TOKEN = "Invalid or expired token"
# last_used_at is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class InvalidCredentials(Unauthorized):
    detail = "Incorrect email or password"


class RefreshTokenReused(Unauthorized):
    detail = INVALID_TOKEN
    keeps_changes = True  # the login it ended must stay ended


def create_account_with_owner(session: Session, *, email: str, password: str, account_name: str,
                              plan: str = "free") -> tuple[Account, User]:
    """Create an account and its first user."""
    email = email.strip().lower()
    if session.exec(select(User).where(User.email == email)).first():
        raise Conflict("A user with this email already exists")
    account = Account(name=account_name, plan=plan)
    session.add(account)
    session.flush()
    user = User(account_id=account.id, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return account, user


def register(session: Session, request: RegisterRequest, *, allow_signup: bool) -> tuple[Account, User]:
    """Open sign-up, or the very first account of an empty installation."""
    if not allow_signup and session.exec(select(func.count()).select_from(Account)).one() > 0:
        raise Forbidden("Sign-up is closed on this server; ask its operator for an account "
                        "(REPLYBASE_ALLOW_SIGNUP=true opens it)")
    return create_account_with_owner(session, email=request.email, password=request.password,
                                     account_name=request.account_name)


def _token_pair(session: Session, secret: str, ttl: int, login_session: LoginSession,
                refresh_token: str) -> TokenPair:
    session.add(login_session)
    session.flush()
    access = tokens.encode_access_token(secret, user_id=login_session.user_id, account_id=login_session.account_id,
                                        login_session_id=login_session.id, ttl_seconds=ttl)
    return TokenPair(access_token=access, refresh_token=refresh_token, expires_in=ttl)


def login(session: Session, *, email: str, password: str, secret: str, access_ttl: int,
          refresh_ttl: int) -> TokenPair:
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if not verify_password(user.password_hash if user else None, password):
        raise InvalidCredentials()
    refresh_token = tokens.new_refresh_token()
    login_session = LoginSession(user_id=user.id, account_id=user.account_id,
                                 refresh_hash=tokens.sha256_hex(refresh_token),
                                 expires_at=utcnow() + timedelta(seconds=refresh_ttl))
    return _token_pair(session, secret, access_ttl, login_session, refresh_token)


def refresh(session: Session, *, refresh_token: str, secret: str, access_ttl: int) -> TokenPair:
    """Rotate: the presented refresh token stops working; replaying an old one ends the whole login."""
    token_hash = tokens.sha256_hex(refresh_token)
    login_session = session.exec(select(LoginSession).where(LoginSession.refresh_hash == token_hash)).first()
    if login_session is None:
        replayed = session.exec(
            select(LoginSession).where(LoginSession.previous_refresh_hash == token_hash)).first()
        if replayed is not None and replayed.revoked_at is None:
            replayed.revoked_at = utcnow()
            session.add(replayed)
            session.flush()
            raise RefreshTokenReused()
        raise Unauthorized(INVALID_TOKEN)
    if login_session.revoked_at is not None or login_session.expires_at <= utcnow():
        raise Unauthorized(INVALID_TOKEN)
    refresh_token = tokens.new_refresh_token()
    login_session.previous_refresh_hash = login_session.refresh_hash
    login_session.refresh_hash = tokens.sha256_hex(refresh_token)
    return _token_pair(session, secret, access_ttl, login_session, refresh_token)


def logout(session: Session, principal: Principal, refresh_token: str | None) -> None:
    """End the caller's login (and the one named by refresh_token, if it is the caller's)."""
    ids = {principal.login_session_id} if principal.login_session_id else set()
    if refresh_token:
        named = session.exec(
            select(LoginSession).where(LoginSession.refresh_hash == tokens.sha256_hex(refresh_token))).first()
        if named is not None and named.account_id == principal.account_id:
            ids.add(named.id)
    for login_session in session.exec(select(LoginSession).where(LoginSession.id.in_(ids))):
        login_session.revoked_at = login_session.revoked_at or utcnow()
        session.add(login_session)
    session.flush()


def authenticate_api_key(session: Session, raw_key: str) -> Principal:
    if raw_key != raw_key.strip() or any(ch.isspace() for ch in raw_key) or not raw_key.startswith("mf_"):
        raise Unauthorized(INVALID_API_KEY)
    key = session.exec(select(ApiKey).where(ApiKey.key_hash == tokens.sha256_hex(raw_key))).first()
    if key is None or key.revoked_at is not None:
        raise Unauthorized(INVALID_API_KEY)
    if key.expires_at is not None and key.expires_at <= utcnow():
        raise Unauthorized(f"API key expired at {key.expires_at.isoformat()}; create a new one")
    account = session.get(Account, key.account_id)
    stale = key.last_used_at is None or utcnow() - key.last_used_at > LAST_USED_RESOLUTION
    return Principal(account_id=account.id, plan=account.plan, scopes=frozenset(key.scopes), api_key_id=key.id,
                     key_use_unrecorded=stale, key_expires_at=key.expires_at)


def record_key_use(session: Session, api_key_id: str) -> None:
    """Stamp the key's last_used_at (at most once per LAST_USED_RESOLUTION, so not a write per request)."""
    now = utcnow()
    session.execute(update(ApiKey).where(ApiKey.id == api_key_id,
                                         or_(ApiKey.last_used_at.is_(None),
                                             ApiKey.last_used_at < now - LAST_USED_RESOLUTION))
                    .values(last_used_at=now))


def authenticate_jwt(session: Session, secret: str, token: str) -> Principal:
    try:
        claims = tokens.decode_access_token(secret, token)
    except jwt.InvalidTokenError:
        raise Unauthorized(INVALID_TOKEN) from None
    login_session = session.get(LoginSession, claims["sid"])
    if login_session is None or login_session.revoked_at is not None:
        raise Unauthorized(INVALID_TOKEN)
    account = session.get(Account, login_session.account_id)
    # A logged-in user acts as the account owner: every scope.
    return Principal(account_id=account.id, plan=account.plan, scopes=frozenset(ALL_SCOPES),
                     user_id=login_session.user_id, login_session_id=login_session.id)


def authenticate(session: Session, secret: str, *, api_key: str | None, bearer_token: str | None) -> Principal:
    """The caller behind an X-API-Key header or a Bearer JWT; 401 when neither is valid."""
    if api_key is not None:
        return authenticate_api_key(session, api_key)
    if bearer_token is not None:
        return authenticate_jwt(session, secret, bearer_token)
    raise Unauthorized("Not authenticated: send an X-API-Key header or an Authorization: Bearer token")
