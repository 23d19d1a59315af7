import pytest

from app.drafters.fallback import FallbackDrafter
from app.drafters.fitted import FittedExtractiveDrafter
from app.drafters.openai_compat import OpenAICompatDrafter
from app.drafters.registry import UnknownDrafter, build_drafter


def test_default_is_the_offline_extractive_drafter(services):
    drafter = build_drafter(services)
    assert isinstance(drafter, FittedExtractiveDrafter)
    assert build_drafter(services, "extractive") is drafter
    assert services.components["ingest_pipeline"].embed_units  # its sentence vectors are stored at ingestion


def test_openai_is_a_chain_ending_in_extractive(services):
    services.settings.llm_base_url, services.settings.llm_model = "http://127.0.0.1:11434/v1", "llama3"
    drafter = build_drafter(services, "openai")
    assert isinstance(drafter, FallbackDrafter)
    model, offline = drafter.drafters
    assert isinstance(model, OpenAICompatDrafter) and model.base_url == "http://127.0.0.1:11434/v1"
    assert isinstance(offline, FittedExtractiveDrafter)


def test_unknown_name_is_a_clear_error(services):
    with pytest.raises(UnknownDrafter, match="use one of: extractive, openai"):
        build_drafter(services, "gpt-9")
