"""The style a reply is written in: the chosen profile, or the neutral default."""

from sqlmodel import Session

from app.drafters.base import StyleSpec
from app.styles.repository import StyleProfileRepository
from app.styles.service import to_style_spec


def style_for(session: Session, account_id: str, profile_id: str | None) -> StyleSpec:
    if not profile_id:
        return StyleSpec.neutral()
    profile = StyleProfileRepository(session, account_id).get(profile_id)
    # A deleted profile falls back to the neutral style rather than silencing the bot.
    return to_style_spec(profile) if profile else StyleSpec.neutral()
