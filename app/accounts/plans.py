"""The plan matrix: every limit and feature gate per plan lives here and nowhere else."""

from dataclasses import dataclass

from app.errors import Forbidden

PLAN_NAMES = ("free", "growth", "business")


@dataclass(frozen=True)
class Plan:
    name: str
    max_sessions: int
    max_documents: int
    features: frozenset[str]


PLANS: dict[str, Plan] = {
    "free": Plan("free", max_sessions=1, max_documents=20, features=frozenset({"knowledge_base", "auto_reply"})),
    "growth": Plan("growth", max_sessions=5, max_documents=500,
                   features=frozenset({"knowledge_base", "auto_reply", "bulk_messages", "openai_drafter"})),
    "business": Plan("business", max_sessions=50, max_documents=10_000,
                     features=frozenset({"knowledge_base", "auto_reply", "bulk_messages", "openai_drafter"})),
}

FEATURE_LABELS = {
    "knowledge_base": "The AI knowledge base",
    "auto_reply": "AI auto-reply",
    "bulk_messages": "Bulk messaging",
    "openai_drafter": "The OpenAI-compatible reply drafter",
}


class PlanFeatureRequired(Forbidden):
    pass


class PlanLimitReached(Forbidden):
    pass


def plans_with(feature: str) -> list[str]:
    return [name for name in PLAN_NAMES if feature in PLANS[name].features]


def require_feature(plan_name: str, feature: str) -> None:
    """Raise 403 naming the plans that include `feature` when `plan_name` lacks it."""
    if feature in PLANS[plan_name].features:
        return
    including = " and ".join(name.capitalize() for name in plans_with(feature))
    raise PlanFeatureRequired(
        f"{FEATURE_LABELS[feature]} is not included in the {plan_name.capitalize()} plan; "
        f"it is included in the {including} plan{'s' if len(plans_with(feature)) > 1 else ''}."
    )


def require_below_limit(plan_name: str, what: str, current: int) -> None:
    """Raise 403 when creating one more `what` ("sessions" or "documents") would pass the plan's limit."""
    limit = getattr(PLANS[plan_name], f"max_{what}")
    if current >= limit:
        raise PlanLimitReached(f"The {plan_name.capitalize()} plan allows {limit} {what}; upgrade for more.")
