"""Drafters by name, built once per process from settings and kept on Services."""

from collections.abc import Callable

from app.drafters.base import Drafter
from app.drafters.fallback import FallbackDrafter
from app.drafters.fitted import FittedExtractiveDrafter
from app.drafters.openai_compat import OpenAICompatDrafter
from app.errors import Unprocessable
from app.state import Services


class UnknownDrafter(Unprocessable):
    pass


def _extractive(services: Services) -> Drafter:
    # It embeds only the question (and then only when retrieval has not): sentence vectors come from ingestion.
    return FittedExtractiveDrafter(services.components["embedder"])


def _openai(services: Services) -> Drafter:
    settings = services.settings
    model = OpenAICompatDrafter(base_url=settings.llm_base_url, model=settings.llm_model,
                                api_key=settings.llm_api_key, timeout_seconds=settings.llm_timeout_seconds,
                                max_retries=settings.llm_max_retries, prompts_dir=settings.prompts_dir)
    # On any failure of the model the offline drafter answers; if it cannot either, the caller hands off.
    return FallbackDrafter([model, build_drafter(services, "extractive")])


BUILDERS: dict[str, Callable[[Services], Drafter]] = {"extractive": _extractive, "openai": _openai}


def build_drafter(services: Services, name: str | None = None) -> Drafter:
    """The drafter called `name` (default: settings.default_drafter), built on first use and then reused."""
    name = name or services.settings.default_drafter
    cache: dict[str, Drafter] = services.components.setdefault("drafters", {})
    if name not in cache:
        if name not in BUILDERS:
            raise UnknownDrafter(f"unknown drafter {name!r}; use one of: {', '.join(BUILDERS)}")
        cache[name] = BUILDERS[name](services)
    return cache[name]
