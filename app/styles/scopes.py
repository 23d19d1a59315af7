"""Profiles scoped to a chat or a session, trained from that scope's sent messages, and the cascade that picks
the profile for a reply: the chat's own, else its session's, else the account's general one, else none."""

from sqlmodel import Session

from app.errors import Unprocessable
from app.sessions.repository import SessionRepository
from app.styles.learning import learn_style
from app.styles.models import StyleProfile
from app.styles.repository import SentMessageRepository, StyleProfileRepository
from app.styles.schemas import StyleProfileCreate, StyleProfileUpdate
from app.styles.service import MESSAGES_TO_LEARN_FROM, NothingToLearn, create_profile, update_profile


def _default_name(session_id: str | None, wa_chat_id: str | None) -> str:
    if wa_chat_id:
        return f"Chat {wa_chat_id}"[:100]
    return f"Session {session_id}" if session_id else "General"


def train(session: Session, account_id: str, *, session_id: str | None, wa_chat_id: str | None,
          name: str | None) -> StyleProfile:
    """Learn from the scope's sent messages; training the same scope again updates its profile."""
    if session_id is not None:
        SessionRepository(session, account_id).get_or_404(session_id)
    samples = SentMessageRepository(session, account_id).texts_sent_by_people(session_id, MESSAGES_TO_LEARN_FROM,
                                                                              chat_id=wa_chat_id)
    if not samples:
        where = (f"chat {wa_chat_id}" if wa_chat_id else f"session {session_id}" if session_id else "any session")
        raise NothingToLearn(f"No sent text messages in {where} to learn from; send some messages first")
    try:
        learned = learn_style(samples)
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    stats = {"source": "chat" if wa_chat_id else "session" if session_id else "account", "session_id": session_id,
             "wa_chat_id": wa_chat_id, **learned.stats}
    repository = StyleProfileRepository(session, account_id)
    existing = repository.scoped(session_id, wa_chat_id)
    if existing is not None and existing.learned is not None:
        fields = {**learned.fields, **({"name": name} if name else {})}
        profile = update_profile(session, account_id, existing.id, StyleProfileUpdate(**fields))
        profile.learned = stats
        session.add(profile)
        session.flush()
        return profile
    create = StyleProfileCreate(name=name or _default_name(session_id, wa_chat_id), **learned.fields)
    profile = create_profile(session, account_id, create, learned=stats)
    profile.session_id, profile.wa_chat_id = session_id, wa_chat_id
    session.add(profile)
    session.flush()
    return profile


def resolve(session: Session, account_id: str, *, session_id: str | None, chat_id: str | None) -> StyleProfile | None:
    """The cascade: exact chat, then session, then general; None when the account has none of them."""
    repository = StyleProfileRepository(session, account_id)
    profile = repository.for_chat(chat_id, session_id) if chat_id else None
    if profile is None and session_id:
        profile = repository.scoped(session_id, None)
    return profile or repository.scoped(None, None)
