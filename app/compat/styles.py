"""MoltFlow's style routes (/ai/style/...) over style profiles (app/styles): train a profile for a chat, a session
or the whole account; it is learned at once, so its task is complete when the train call answers."""

from datetime import datetime

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from app.deps import RequireScope, SessionDep
from app.errors import NotFound, error_responses
from app.phones import canonical_chat_id
from app.schema_base import RequestBody
from app.styles import scopes, service
from app.styles.models import StyleProfile
from app.styles.service import DuplicateStyleName, NothingToLearn

router = APIRouter(prefix="/ai/style", tags=["MoltFlow: style"])
AiRead = RequireScope("ai:read")
AiWrite = RequireScope("ai:write")


class TrainRequest(RequestBody):
    session_id: str | None = Field(default=None, max_length=32, description="Session to scope the profile to")
    wa_chat_id: str | None = Field(default=None, max_length=80, examples=["5511999999999@c.us"],
                                   description="Chat to scope the profile to; omit both for a general profile")
    contact_id: str | None = Field(default=None, max_length=80, description="Legacy name of wa_chat_id")
    name: str | None = Field(default=None, min_length=1, max_length=100, examples=["Sales"])

    def chat(self) -> str | None:
        written = self.wa_chat_id or self.contact_id
        try:
            return canonical_chat_id(written) if written else None
        except ValueError as exc:
            raise NotFound(str(exc)) from None


class TrainTask(BaseModel):
    task_id: str = Field(description="The profile's id")
    tenant_id: str
    contact_id: str | None
    status: str = Field(description="completed: profiles are learned within the request")
    profile_id: str


class ProfileFeatures(BaseModel):
    avg_sentence_length: float | None
    formality_score: float | None
    emoji_frequency: float | None
    vocabulary_richness: float | None = None


class MoltFlowProfile(BaseModel):
    id: str
    tenant_id: str
    contact_id: str | None
    name: str
    session_id: str | None
    wa_chat_id: str | None
    features: ProfileFeatures
    sample_count: int
    last_trained_at: datetime | None


class TaskStatus(BaseModel):
    task_id: str
    status: str
    result: dict


def _moltflow(profile: StyleProfile) -> MoltFlowProfile:
    learned = profile.learned or {}
    formality = learned.get("formality") or {}
    return MoltFlowProfile(
        id=profile.id, tenant_id=profile.account_id, contact_id=profile.wa_chat_id, name=profile.name,
        session_id=profile.session_id, wa_chat_id=profile.wa_chat_id,
        features=ProfileFeatures(avg_sentence_length=learned.get("average_length"),
                                 formality_score=formality.get("score"), emoji_frequency=learned.get("emoji_rate")),
        sample_count=learned.get("sample_count", 0), last_trained_at=profile.updated_at if learned else None)


@router.post("/train", response_model=TrainTask, responses=error_responses(NotFound, NothingToLearn,
                                                                           DuplicateStyleName))
def train(body: TrainRequest, principal: AiWrite, session: SessionDep):
    """Learn a profile from the sent messages of a chat, a session, or every session."""
    chat = body.chat()
    profile = scopes.train(session, principal.account_id, session_id=body.session_id, wa_chat_id=chat,
                           name=body.name)
    return TrainTask(task_id=profile.id, tenant_id=principal.account_id, contact_id=chat, status="completed",
                     profile_id=profile.id)


@router.get("/status/{task_id}", response_model=TaskStatus, responses=error_responses(NotFound))
def task_status(task_id: str, principal: AiRead, session: SessionDep):
    """A training task: complete once its profile exists."""
    profile = service.get_profile(session, principal.account_id, task_id)
    return TaskStatus(task_id=task_id, status="completed",
                      result={"profile_id": profile.id, "sample_count": (profile.learned or {}).get("sample_count")})


@router.get("/profile", response_model=MoltFlowProfile, responses=error_responses(NotFound))
def get_profile(principal: AiRead, session: SessionDep, contact_id: str | None = Query(default=None, max_length=80),
                session_id: str | None = Query(default=None, max_length=32)):
    """The profile a reply to this contact would use: the chat's, else the session's, else the general one."""
    try:
        chat = canonical_chat_id(contact_id) if contact_id else None
    except ValueError as exc:
        raise NotFound(str(exc)) from None
    profile = scopes.resolve(session, principal.account_id, session_id=session_id, chat_id=chat)
    if profile is None:
        raise NotFound("No style profile for this contact, its session or the account")
    return _moltflow(profile)


@router.get("/profiles", response_model=list[MoltFlowProfile])
def list_profiles(principal: AiRead, session: SessionDep):
    """Every style profile, trained or written by hand."""
    return [_moltflow(profile) for profile in service.list_profiles(session, principal.account_id)]


@router.delete("/profile/{profile_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound))
def delete_profile(profile_id: str, principal: AiWrite, session: SessionDep) -> None:
    """Delete a profile; replies fall to the next profile in the cascade."""
    service.delete_profile(session, principal.account_id, profile_id)
