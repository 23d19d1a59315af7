"""A chain of drafters: the first one that drafts wins; every failure before it is recorded in the notes."""

import logging

from app.drafters.base import Draft, Drafter, DrafterError, DraftRequest, for_stand_in

logger = logging.getLogger("replybase")


class FallbackDrafter:
    """Tries each drafter in order and moves on only when one raises `DrafterError`.

    A drafter that works but finds no answer (answered=False) ends the chain: that is a real answer, and the
    caller hands off. When every drafter fails, the draft is answered=False with the reasons in `notes`, so the
    caller hands off instead of staying silent.
    """

    def __init__(self, drafters: list[Drafter]) -> None:
        if not drafters:
            raise ValueError("a fallback chain needs at least one drafter")
        self.drafters = drafters
        self.name = "+".join(drafter.name for drafter in drafters)

    @property
    def default_min_confidence(self) -> float:
        return self.drafters[0].default_min_confidence

    def draft(self, request: DraftRequest) -> Draft:
        failures: list[str] = []
        for position, drafter in enumerate(self.drafters):
            try:
                draft = drafter.draft(request if position == 0 else for_stand_in(request, drafter))
            except DrafterError as exc:
                logger.warning("drafter %s failed (%s): %s", drafter.name, exc.reason, exc)
                failures.append(f"{drafter.name} failed ({exc.reason}): {exc}")
                continue
            if failures:
                draft.notes = [*failures, f"fell back to {drafter.name}", *draft.notes]
            return draft
        return Draft(text="", sources=[], confidence=0.0, drafter=self.drafters[-1].name, answered=False,
                     notes=[*failures, "every drafter failed; hand off"])
