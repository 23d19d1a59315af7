"""JWT access tokens, opaque refresh tokens and the secret that signs them."""

import hashlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import jwt

from app.common import utcnow

ALGORITHM = "HS256"


def load_or_create_jwt_secret(configured: str, data_dir: Path) -> str:
    """The configured secret, else the one persisted in the data directory, else a new persisted one."""
    if configured:
        return configured
    path = data_dir / "jwt_secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return secret


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(40)


def encode_access_token(secret: str, *, user_id: str, account_id: str, login_session_id: str,
                        ttl_seconds: int) -> str:
    now = utcnow()
    claims = {"sub": user_id, "acc": account_id, "sid": login_session_id, "typ": "access",
              "iat": now, "exp": now + timedelta(seconds=ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(secret: str, token: str) -> dict:
    """The token's claims; raises jwt.InvalidTokenError when it is forged, malformed or expired."""
    claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub", "sid"]})
    if claims.get("typ") != "access":
        raise jwt.InvalidTokenError("not an access token")
    return claims
