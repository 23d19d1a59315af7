"""Style profiles: create, change, delete, learn from past messages; and the StyleSpec drafters read. Flushes only."""

from sqlmodel import Session

from app.common import utcnow
from app.drafters.base import StyleSpec
from app.errors import Conflict, Unprocessable, patch_changes
from app.sessions.repository import SessionRepository
from app.styles.learning import learn_style
from app.styles.models import StyleProfile
from app.styles.repository import SentMessageRepository, StyleProfileRepository
from app.styles.schemas import LearnRequest, StyleProfileCreate, StyleProfileUpdate

MESSAGES_TO_LEARN_FROM = 500


class DuplicateStyleName(Conflict):
    detail = "A style profile with this name already exists"


class NothingToLearn(Unprocessable):
    detail = "No sent messages to learn from"


def to_style_spec(profile: StyleProfile) -> StyleSpec:
    """The drafter's view of a stored profile."""
    rules = profile.rules or {}
    return StyleSpec(tone=profile.tone, formality=profile.formality, language=profile.language,
                     max_reply_chars=profile.max_reply_length, emoji=profile.emoji, greeting=profile.greeting,
                     sign_off=profile.sign_off, persona=profile.persona,
                     rules_always=list(rules.get("always", [])), rules_never=list(rules.get("never", [])),
                     examples=list(profile.examples or []))


def _check_name_free(repository: StyleProfileRepository, name: str, profile_id: str | None = None) -> None:
    existing = repository.get_by_name(name)
    if existing is not None and existing.id != profile_id:
        raise DuplicateStyleName(f"A style profile named {name!r} already exists; choose another name")


def list_profiles(session: Session, account_id: str) -> list[StyleProfile]:
    return StyleProfileRepository(session, account_id).list()


def get_profile(session: Session, account_id: str, profile_id: str) -> StyleProfile:
    return StyleProfileRepository(session, account_id).get_or_404(profile_id)


def create_profile(session: Session, account_id: str, body: StyleProfileCreate, learned: dict | None = None
                   ) -> StyleProfile:
    repository = StyleProfileRepository(session, account_id)
    _check_name_free(repository, body.name)
    return repository.add(StyleProfile(account_id=account_id, learned=learned, **body.model_dump()))


def update_profile(session: Session, account_id: str, profile_id: str, body: StyleProfileUpdate) -> StyleProfile:
    """Change only the fields sent; null is refused for fields that always have a value."""
    repository = StyleProfileRepository(session, account_id)
    profile = repository.get_or_404(profile_id)
    changes = patch_changes(body)
    if "name" in changes:
        _check_name_free(repository, changes["name"], profile.id)
    for field, value in changes.items():
        setattr(profile, field, value)
    profile.updated_at = utcnow()
    session.add(profile)
    session.flush()
    return profile


def delete_profile(session: Session, account_id: str, profile_id: str) -> None:
    repository = StyleProfileRepository(session, account_id)
    repository.delete(repository.get_or_404(profile_id))


def learn_profile(session: Session, account_id: str, body: LearnRequest) -> StyleProfile:
    """Create a profile from sample messages or a session's sent messages, keeping what was learned."""
    source: dict = {"source": "samples"}
    samples = body.samples
    if body.session_id is not None:
        wa_session = SessionRepository(session, account_id).get_or_404(body.session_id)
        samples = SentMessageRepository(session, account_id).texts_sent_by_people(wa_session.id,
                                                                                  MESSAGES_TO_LEARN_FROM)
        if not samples:
            raise NothingToLearn(f"Session {wa_session.id} has no sent text messages to learn from; "
                                 "send some messages from it first, or pass samples instead")
        source = {"source": "session", "session_id": wa_session.id}
    try:
        learned = learn_style(samples or [])
    except ValueError as exc:
        raise Unprocessable(f"{exc}; send samples with text") from None
    create = StyleProfileCreate(name=body.name, **learned.fields)
    return create_profile(session, account_id, create, learned={**source, **learned.stats})
