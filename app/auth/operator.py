"""One-call logins the operator's CLI opens to ask the running API something for an account (`replybase kb
search`): the CLI holds the database and the signing secret, so it needs no key of the account's; the API checks
the token exactly as any login's. Flushes, never commits."""

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from app.accounts.models import Account  # noqa: F401 - the table its foreign keys name must be known to flush
from app.auth import tokens
from app.auth.models import LoginSession, User
from app.common import utcnow

# Long enough for one call on a busy service, short enough that a token the CLI failed to clean up soon dies.
OPERATOR_LOGIN_SECONDS = 60


def open_operator_login(session: Session, secret: str, account_id: str) -> tuple[str, str] | None:
    """(login session id, access token) acting as the account's first user; None when the account has no user."""
    user = session.exec(select(User).where(User.account_id == account_id)
                        .order_by(User.created_at, User.id).limit(1)).first()
    if user is None:
        return None
    login = LoginSession(user_id=user.id, account_id=account_id,
                         refresh_hash=tokens.sha256_hex(tokens.new_refresh_token()),
                         expires_at=utcnow() + timedelta(seconds=OPERATOR_LOGIN_SECONDS))
    session.add(login)
    session.flush()
    token = tokens.encode_access_token(secret, user_id=user.id, account_id=account_id, login_session_id=login.id,
                                       ttl_seconds=OPERATOR_LOGIN_SECONDS)
    return login.id, token


def close_operator_login(session: Session, login_session_id: str) -> None:
    """Delete the login: its token stops working at once, and no row is left behind."""
    session.execute(delete(LoginSession).where(LoginSession.id == login_session_id))
