"""One-call logins the operator's CLI opens to ask the running API something for an account (`replybase kb
search`): the CLI holds the database and the signing secret, so it needs no key of the account's; the API checks
the token exactly as any login's.

SQLAlchemy Core only: importing the ORM and the table models would cost a short CLI call more than the call itself.
The rows are app/auth/models.py's `users` and `login_sessions`; the tests of `replybase kb search` fail if these
columns drift from them."""

from datetime import timedelta

from sqlalchemy import String, column, delete, insert, select, table
from sqlalchemy.engine import Engine

from app.auth import tokens
from app.common import UTCDateTime, new_id, utcnow

# Long enough for one call on a busy service, short enough that a token the CLI failed to clean up soon dies.
OPERATOR_LOGIN_SECONDS = 60

_users = table("users", column("id", String), column("account_id", String), column("created_at", UTCDateTime))
_logins = table("login_sessions", column("id", String), column("user_id", String), column("account_id", String),
                column("refresh_hash", String), column("created_at", UTCDateTime), column("expires_at", UTCDateTime))


def open_operator_login(engine: Engine, secret: str, account_id: str) -> tuple[str, str] | None:
    """(login session id, access token) acting as the account's first user; None when the account has no user.
    Committed before it returns: the API must see the login when the token reaches it."""
    with engine.begin() as connection:
        user_id = connection.scalar(select(_users.c.id).where(_users.c.account_id == account_id)
                                    .order_by(_users.c.created_at, _users.c.id).limit(1))
        if user_id is None:
            return None
        login_id, now = new_id(), utcnow()
        connection.execute(insert(_logins).values(
            id=login_id, user_id=user_id, account_id=account_id, created_at=now,
            refresh_hash=tokens.sha256_hex(tokens.new_refresh_token()),
            expires_at=now + timedelta(seconds=OPERATOR_LOGIN_SECONDS)))
    token = tokens.encode_access_token(secret, user_id=user_id, account_id=account_id, login_session_id=login_id,
                                       ttl_seconds=OPERATOR_LOGIN_SECONDS)
    return login_id, token


def close_operator_login(engine: Engine, login_session_id: str) -> None:
    """Delete the login: its token stops working at once, and no row is left behind."""
    with engine.begin() as connection:
        connection.execute(delete(_logins).where(_logins.c.id == login_session_id))
