"""The plan matrix: every limit and feature gate per plan lives here and nowhere else."""

from dataclasses import dataclass

from app.errors import Forbidden

# From smallest to largest: an over-limit message suggests the next one.
PLAN_NAMES = ("free", "growth", "business", "self-hosted")
# `replybase init` gives the operator's own account "self-hosted"; accounts from sign-up start on "free".

FEATURE_LABELS = {
    "knowledge_base": "The AI knowledge base",
    "auto_reply": "AI auto-reply",
    "bulk_messages": "Bulk messaging",
    "openai_drafter": "The OpenAI-compatible reply drafter",
}


@dataclass(frozen=True)
class Plan:
    name: str
    max_sessions: int | None  # None: no limit
    max_documents: int | None
    features: frozenset[str]


PLANS: dict[str, Plan] = {
    "free": Plan("free", max_sessions=1, max_documents=20, features=frozenset({"knowledge_base", "auto_reply"})),
    "growth": Plan("growth", max_sessions=5, max_documents=500,
                   features=frozenset({"knowledge_base", "auto_reply", "bulk_messages", "openai_drafter"})),
    "business": Plan("business", max_sessions=50, max_documents=10_000,
                     features=frozenset({"knowledge_base", "auto_reply", "bulk_messages", "openai_drafter"})),
    "self-hosted": Plan("self-hosted", max_sessions=None, max_documents=None, features=frozenset(FEATURE_LABELS)),
}


class PlanFeatureRequired(Forbidden):
    pass


class PlanLimitReached(Forbidden):
    pass


def plans_with(feature: str) -> list[str]:
    return [name for name in PLAN_NAMES if feature in PLANS[name].features]


def next_plan(plan_name: str) -> str | None:
    index = PLAN_NAMES.index(plan_name)
    return PLAN_NAMES[index + 1] if index + 1 < len(PLAN_NAMES) else None


def how_to_change_plan(account_id: str | None, plan_name: str) -> str:
    """The command that moves the account to `plan_name`, for the end of a 403 or 429 message."""
    command = f"`replybase accounts set-plan {account_id or 'ACCOUNT_ID'} {plan_name}`"
    where = "" if account_id else " (GET /api/v2/account shows the account id)"
    return f"The server's operator can change the plan with {command}{where}."


def _listing(names: list[str]) -> str:
    labels = [name.capitalize() for name in names]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def require_feature(plan_name: str, feature: str, account_id: str | None = None) -> None:
    """Raise 403 naming the plans that include `feature`, and how to change plan, when `plan_name` lacks it."""
    if feature in PLANS[plan_name].features:
        return
    including = plans_with(feature)
    raise PlanFeatureRequired(
        f"{FEATURE_LABELS[feature]} is not included in the {plan_name.capitalize()} plan; it is included in the "
        f"{_listing(including)} plan{'s' if len(including) > 1 else ''}. "
        + how_to_change_plan(account_id, including[0]))


def require_below_limit(plan_name: str, what: str, current: int, account_id: str | None = None) -> None:
    """Raise 403 when creating one more `what` ("sessions" or "documents") would pass the plan's limit."""
    limit = getattr(PLANS[plan_name], f"max_{what}")
    if limit is not None and current >= limit:
        # Limits grow along PLAN_NAMES and the last plan has none, so a limited plan always has a next one.
        raise PlanLimitReached(f"The {plan_name.capitalize()} plan allows {limit} {what}. "
                               + how_to_change_plan(account_id, next_plan(plan_name)))
