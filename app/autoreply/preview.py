"""The playground: draft a reply without sending or logging it."""

from app.auth.principal import Principal
from app.autoreply.composer import compose
from app.autoreply.repository import AutoReplySettingsRepository
from app.autoreply.schemas import AutoReplyConfig, PreviewRequest, PreviewResponse
from app.autoreply.service import require_plan_features
from app.autoreply.styles import style_for
from app.db import unit_of_work
from app.drafters.base import StyleSpec, Turn
from app.errors import NotFound
from app.sessions.repository import SessionRepository
from app.state import Services
from app.styles.repository import StyleProfileRepository


def playground(services: Services, principal: Principal, session_id: str | None,
               style_profile_id: str | None) -> tuple[AutoReplyConfig, StyleSpec]:
    """The settings and style a draft is made with: the session's when one is named, else the defaults."""
    account_id = principal.account_id
    config = AutoReplyConfig()
    with unit_of_work(services.session_factory, read_only=True) as session:
        if session_id:
            SessionRepository(session, account_id).get_or_404(session_id)
            stored = AutoReplySettingsRepository(session, account_id).get(session_id)
            if stored is not None:
                fields = set(AutoReplyConfig.model_fields) - {"business_hours"}
                config = AutoReplyConfig.model_validate(stored.model_dump(include=fields))
        # The playground is auto-reply's: the plan must include it, and the drafter the session uses.
        require_plan_features(principal.plan, account_id, enabled=True, drafter=config.drafter)
        profile_id = style_profile_id or config.style_profile_id
        if style_profile_id and StyleProfileRepository(session, account_id).get(style_profile_id) is None:
            raise NotFound("Style profile not found")
        style = style_for(session, account_id, profile_id)
    return config, style


def preview(services: Services, principal: Principal, body: PreviewRequest) -> PreviewResponse:
    """What the bot would answer, with the session's settings when one is named."""
    config, style = playground(services, principal, body.session_id, body.style_profile_id)
    decision = compose(services, principal.account_id, question=body.message,
                       history=[Turn(role=t.role, text=t.text) for t in body.history],
                       style=style, drafter_name=config.drafter,
                       tags=config.tags, min_confidence=config.min_confidence,
                       handoff_keywords=config.handoff_keywords, fallback_message=config.fallback_message)
    return PreviewResponse(reply=decision.text, sources=decision.sources_json(), confidence=decision.confidence,
                           handoff=decision.handoff, reason=decision.reason, drafter=decision.drafter)
