from fastapi import APIRouter, status

from app.deps import RequireScope, SessionDep
from app.errors import NotFound, Unprocessable, error_responses
from app.styles import service
from app.styles.schemas import LearnRequest, StyleProfileCreate, StyleProfilePublic, StyleProfileUpdate
from app.styles.service import DuplicateStyleName, NothingToLearn

router = APIRouter(prefix="/ai/style-profiles", tags=["AI style profiles"])
AiRead = RequireScope("ai:read")
AiWrite = RequireScope("ai:write")


@router.get("", response_model=list[StyleProfilePublic])
def list_style_profiles(principal: AiRead, session: SessionDep):
    """List AI style profiles."""
    return service.list_profiles(session, principal.account_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=StyleProfilePublic,
             responses=error_responses(DuplicateStyleName))
def create_style_profile(body: StyleProfileCreate, principal: AiWrite, session: SessionDep):
    """Create a style profile."""
    return service.create_profile(session, principal.account_id, body)


@router.post("/learn", status_code=status.HTTP_201_CREATED, response_model=StyleProfilePublic,
             responses=error_responses(NotFound, DuplicateStyleName, NothingToLearn))
def learn_style_profile(body: LearnRequest, principal: AiWrite, session: SessionDep):
    """Create a style profile learned from your own messages (samples, or a session's sent messages)."""
    return service.learn_profile(session, principal.account_id, body)


@router.get("/{profile_id}", response_model=StyleProfilePublic, responses=error_responses(NotFound))
def get_style_profile(profile_id: str, principal: AiRead, session: SessionDep):
    """Get a style profile."""
    return service.get_profile(session, principal.account_id, profile_id)


@router.patch("/{profile_id}", response_model=StyleProfilePublic,
              responses=error_responses(NotFound, DuplicateStyleName, Unprocessable))
def update_style_profile(profile_id: str, body: StyleProfileUpdate, principal: AiWrite, session: SessionDep):
    """Change some fields of a style profile."""
    return service.update_profile(session, principal.account_id, profile_id, body)


@router.delete("/{profile_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_style_profile(profile_id: str, principal: AiWrite, session: SessionDep) -> None:
    """Delete a style profile; sessions using it fall back to the neutral style."""
    service.delete_profile(session, principal.account_id, profile_id)
