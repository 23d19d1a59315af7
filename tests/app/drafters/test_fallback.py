import pytest

from app.drafters.base import Draft, DrafterTimeout, DraftRequest, Source, StyleSpec
from app.drafters.fallback import FallbackDrafter
from app.drafters.fitted import FittedExtractiveDrafter
from app.drafters.openai_compat import OpenAICompatDrafter

SUNDAY = "Sunday: 11:00 to 15:00 (shop only)."
# The scores hybrid search gave this chunk, alone in a knowledge base, for each question (measured).
SOURCES = [Source(1, "d", "Handbook", SUNDAY, None, "Opening hours", 0.562, semantic_score=0.664)]
UNRELATED = [Source(1, "d", "Handbook", SUNDAY, None, "Opening hours", 0.093, semantic_score=0.180)]


class Failing:
    name = "flaky"

    def draft(self, request):
        raise DrafterTimeout("no answer within 1s")


class Declining:
    name = "declining"

    def draft(self, request):
        return Draft(text="", sources=[], confidence=0.0, drafter=self.name, answered=False)


def ask(chain, question="Are you open on Sunday?", sources=SOURCES) -> Draft:
    return chain.draft(DraftRequest(question, sources, StyleSpec.neutral()))


@pytest.fixture
def extractive(services):
    return FittedExtractiveDrafter(services.components["embedder"])


def test_falls_back_and_records_why(extractive):
    draft = ask(FallbackDrafter([Failing(), extractive]))
    assert draft.answered and draft.drafter == "extractive"
    assert "11:00 to 15:00" in draft.text
    assert draft.notes[:2] == ["flaky failed (timeout): no answer within 1s", "fell back to extractive"]


def test_every_drafter_failing_hands_off_instead_of_silence():
    draft = ask(FallbackDrafter([Failing(), Failing()]))
    assert draft.answered is False
    assert draft.notes[-1] == "every drafter failed; hand off"


def test_a_working_drafter_that_finds_no_answer_ends_the_chain(extractive):
    draft = ask(FallbackDrafter([Declining(), extractive]))
    assert draft.answered is False and draft.drafter == "declining"


def openai_then_extractive(settings, extractive) -> FallbackDrafter:
    model = OpenAICompatDrafter(base_url=settings.llm_base_url, model=settings.llm_model,
                                api_key=settings.llm_api_key, timeout_seconds=0.2, max_retries=0)
    return FallbackDrafter([model, extractive])


def test_openai_timeout_falls_back_to_extractive(settings, fake_openai, extractive):
    fake_openai.mode = "slow"
    draft = ask(openai_then_extractive(settings, extractive))
    assert draft.answered and draft.drafter == "extractive"
    assert draft.notes[0].startswith("openai failed (timeout)")


def test_openai_500_falls_back_to_extractive(settings, fake_openai, extractive):
    fake_openai.mode = "error"
    draft = ask(openai_then_extractive(settings, extractive))
    assert draft.answered and draft.drafter == "extractive"
    assert draft.notes[0] == f"openai failed (unavailable): {settings.llm_base_url} answered HTTP 500"


def test_openai_down_and_nothing_answerable_hands_off(settings, fake_openai, extractive):
    fake_openai.mode = "malformed"
    draft = ask(openai_then_extractive(settings, extractive), "Do you sell pizza?", UNRELATED)
    assert draft.answered is False
    assert draft.notes[0].startswith("openai failed (bad response)")


def test_a_stand_in_keeps_its_own_line_when_the_setting_is_on_the_chosen_drafters_scale(settings, fake_openai,
                                                                                       extractive):
    # A session that lets openai answer at any confidence does not let the offline drafter, standing in, answer a
    # question it would hand off; a stricter setting still binds it.
    fake_openai.mode = "error"
    pizza = DraftRequest("Do you sell pizza?", UNRELATED, StyleSpec.neutral(), min_confidence=0.0)
    assert extractive.draft(pizza).answered  # the setting alone would let it quote the opening hours
    assert not openai_then_extractive(settings, extractive).draft(pizza).answered
    sunday = DraftRequest("Are you open on Sunday?", SOURCES, StyleSpec.neutral(), min_confidence=0.999)
    stand_in = openai_then_extractive(settings, extractive).draft(sunday)
    assert stand_in.drafter == "extractive" and not stand_in.answered
