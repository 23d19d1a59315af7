"""Create, list and revoke API keys. The secret exists only in the create response."""

import secrets

from sqlmodel import Session

from app.apikeys.models import ApiKey
from app.apikeys.repository import ApiKeyRepository
from app.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from app.apikeys.scopes import PRESETS, expand_scopes
from app.auth.principal import Principal
from app.auth.tokens import sha256_hex
from app.common import utcnow
from app.errors import Forbidden, Unprocessable

KEY_PREFIX = "mf_"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_key(session: Session, account_id: str, label: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Store a new key's hash and return the row with the one-time secret."""
    secret = generate_key()
    key = ApiKey(account_id=account_id, label=label, prefix=secret[:8], key_hash=sha256_hex(secret),
                 scopes=scopes)
    return ApiKeyRepository(session, account_id).add(key), secret


def create_for_principal(session: Session, principal: Principal, body: ApiKeyCreate) -> ApiKeyCreated:
    try:
        scopes = list(PRESETS[body.preset]) if body.preset else expand_scopes(body.scopes or [])
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    beyond = [scope for scope in scopes if scope not in principal.scopes]
    if beyond:
        raise Forbidden(f"A key cannot grant scopes its creator lacks: {', '.join(beyond)}")
    key, secret = create_key(session, principal.account_id, body.label, scopes)
    return ApiKeyCreated(**to_public(key).model_dump(), key=secret)


def to_public(key: ApiKey) -> ApiKeyPublic:
    return ApiKeyPublic(id=key.id, label=key.label, prefix=key.prefix, scopes=key.scopes,
                        created_at=key.created_at, last_used_at=key.last_used_at)


def list_keys(session: Session, account_id: str) -> list[ApiKeyPublic]:
    return [to_public(key) for key in ApiKeyRepository(session, account_id).active()]


def revoke_key(session: Session, account_id: str, key_id: str) -> None:
    repository = ApiKeyRepository(session, account_id)
    key = repository.get_or_404(key_id)
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
