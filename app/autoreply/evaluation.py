"""A business's own test questions, asked of the bot at once: what it would send, and what each min_confidence
would do, so the line is chosen on the business's documents and questions rather than ours."""

from typing import get_args

from app.auth.principal import Principal
from app.autoreply.composer import Decision, compose
from app.autoreply.preview import playground
from app.autoreply.schemas import (EvaluatedQuestion, EvaluationLine, EvaluationQuestion, EvaluationRequest,
                                   EvaluationResponse, Outcome)
from app.drafters.base import below_line, line_of
from app.drafters.registry import build_drafter
from app.state import Services

EVERY_DRAFT = 0.0  # asked once at no line: a draft's text and confidence do not depend on the line


def evaluate(services: Services, principal: Principal, body: EvaluationRequest) -> EvaluationResponse:
    config, style = playground(services, principal, body.session_id, None)
    line = line_of(build_drafter(services, config.drafter), config.min_confidence)
    decisions = [compose(services, principal.account_id, question=question.message, history=[], style=style,
                         drafter_name=config.drafter, tags=config.tags, min_confidence=EVERY_DRAFT,
                         handoff_keywords=config.handoff_keywords, fallback_message=config.fallback_message)
                 for question in body.questions]
    pairs = list(zip(body.questions, decisions))
    questions = [EvaluatedQuestion(message=question.message, reply=decision.text, confidence=decision.confidence,
                                   sent=_sent(decision, line), drafted=not decision.handoff,
                                   outcome=_outcome(question, decision, line),
                                   reason=_why_not_sent(decision, line)) for question, decision in pairs]
    lines = [EvaluationLine(min_confidence=at, **_tally([_outcome(q, d, at) for q, d in pairs]))
             for at in body.lines]
    return EvaluationResponse(line=line, drafter=config.drafter, questions=questions, lines=lines)


def _sent(decision: Decision, line: float) -> bool:
    return not decision.handoff and decision.confidence >= line


def _why_not_sent(decision: Decision, line: float) -> str | None:
    if decision.handoff:
        return decision.reason  # at any line: nothing to quote, a request for a person, the guardrails
    return None if _sent(decision, line) else below_line(decision.confidence, line)


def _outcome(question: EvaluationQuestion, decision: Decision, line: float) -> Outcome:
    sent = _sent(decision, line)
    if not question.expect:
        return "uncovered_answered" if sent else "uncovered_handed_off"
    if not sent:
        return "handed_off"
    reply = _normal(decision.text)
    return "right" if all(_normal(fact) in reply for fact in question.expect) else "wrong"


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _tally(outcomes: list[Outcome]) -> dict[str, int]:
    return {kind: outcomes.count(kind) for kind in get_args(Outcome)}
