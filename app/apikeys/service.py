"""Create, list and revoke API keys. The secret exists only in the create response."""

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session

from app.apikeys.models import ApiKey
from app.apikeys.repository import ApiKeyRepository
from app.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from app.apikeys.scopes import PRESETS, expand_scopes
from app.auth.principal import Principal
from app.auth.tokens import sha256_hex
from app.common import utcnow
from app.errors import Forbidden, NotFound, Unprocessable

KEY_PREFIX = "mf_"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(session: Session, account_id: str, label: str, scopes: list[str],
               expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Store a new key's hash and return the row with the one-time secret."""
    secret = generate_key()
    key = ApiKey(account_id=account_id, label=label, prefix=secret[:8], key_hash=sha256_hex(secret),
                 scopes=scopes, expires_at=expires_at)
    return ApiKeyRepository(session, account_id).add(key), secret


def _scopes_for(principal: Principal, body: ApiKeyCreate) -> list[str]:
    preset = "Read only" if body.preset == "Read Only" else body.preset
    try:
        if preset:
            return list(PRESETS[preset])
        if body.scopes is not None:
            return expand_scopes(body.scopes)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    return sorted(principal.scopes)  # neither given (MoltFlow's {"name": ...}): what the creator may do


def create_for_principal(session: Session, principal: Principal, body: ApiKeyCreate) -> ApiKeyCreated:
    scopes = _scopes_for(principal, body)
    beyond = [scope for scope in scopes if scope not in principal.scopes]
    if beyond:
        raise Forbidden(f"A key cannot grant scopes its creator lacks: {', '.join(beyond)}")
    expires_at = utcnow() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    key, secret = create_key(session, principal.account_id, body.title, scopes, expires_at)
    return ApiKeyCreated(**to_public(key).model_dump(), key=secret, raw_key=secret)


def to_public(key: ApiKey) -> ApiKeyPublic:
    active = key.revoked_at is None and (key.expires_at is None or key.expires_at > utcnow())
    return ApiKeyPublic(id=key.id, label=key.label, name=key.label, prefix=key.prefix, key_prefix=key.prefix,
                        scopes=key.scopes, is_active=active, expires_at=key.expires_at, created_at=key.created_at,
                        last_used_at=key.last_used_at)


def list_keys(session: Session, account_id: str) -> list[ApiKeyPublic]:
    return [to_public(key) for key in ApiKeyRepository(session, account_id).active()]


def _live_key(session: Session, account_id: str, key_id: str) -> ApiKey:
    key = ApiKeyRepository(session, account_id).get_or_404(key_id)
    if key.revoked_at is not None:
        raise NotFound("API key not found")
    return key


def get_key(session: Session, account_id: str, key_id: str) -> ApiKeyPublic:
    return to_public(_live_key(session, account_id, key_id))


def rotate_key(session: Session, account_id: str, key_id: str) -> ApiKeyCreated:
    """A new secret for the same key (id, scopes, expiry); the old secret stops working at once."""
    key = _live_key(session, account_id, key_id)
    secret = generate_key()
    key.prefix, key.key_hash = secret[:8], sha256_hex(secret)
    session.add(key)
    session.flush()
    return ApiKeyCreated(**to_public(key).model_dump(), key=secret, raw_key=secret)


def revoke_key(session: Session, account_id: str, key_id: str) -> None:
    repository = ApiKeyRepository(session, account_id)
    key = repository.get_or_404(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
