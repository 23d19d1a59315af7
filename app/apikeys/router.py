from fastapi import APIRouter, status

from app.apikeys import service
from app.apikeys.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyPublic
from app.deps import RequireScope, SessionDep
from app.errors import Forbidden, NotFound, error_responses

router = APIRouter(prefix="/api-keys", tags=["API keys"])
KeysManager = RequireScope("keys:manage")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated,
             responses=error_responses(Forbidden))
def create_api_key(body: ApiKeyCreate, principal: KeysManager, session: SessionDep) -> ApiKeyCreated:
    """Create a key from scopes or a preset; the secret is in this response only."""
    return service.create_for_principal(session, principal, body)


@router.get("", response_model=list[ApiKeyPublic])
def list_api_keys(principal: KeysManager, session: SessionDep) -> list[ApiKeyPublic]:
    """List the account's keys: label, prefix, scopes and dates, never the secret."""
    return service.list_keys(session, principal.account_id)


@router.get("/{key_id}", response_model=ApiKeyPublic, responses=error_responses(NotFound))
def get_api_key(key_id: str, principal: KeysManager, session: SessionDep) -> ApiKeyPublic:
    """One key's label, prefix, scopes and dates, never the secret."""
    return service.get_key(session, principal.account_id, key_id)


@router.post("/{key_id}/rotate", response_model=ApiKeyCreated, responses=error_responses(NotFound))
def rotate_api_key(key_id: str, principal: KeysManager, session: SessionDep) -> ApiKeyCreated:
    """Replace the key's secret (same id and scopes); the old secret stops working now. Shown once."""
    return service.rotate_key(session, principal.account_id, key_id)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_api_key(key_id: str, principal: KeysManager, session: SessionDep) -> None:
    """Revoke a key: the next request with it gets 401."""
    service.revoke_key(session, principal.account_id, key_id)
