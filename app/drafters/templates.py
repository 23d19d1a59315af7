"""Prompt templates are files in `prompts/`, rendered with sandboxed, strict Jinja.

Customer and document text must only reach a template through the `data` (or `attribute`) filter: it cannot
then close or open the tags that mark it as quoted data, so it is never spliced in as instructions.
"""

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from app.drafters.base import StyleSpec

DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
# What a chat model answers when the sources do not know; the drafter turns it into answered=False.
NO_ANSWER = "NO_ANSWER"
DATA_TAGS = ("sources", "source", "history", "turn", "customer_message", "example", "system", "instructions")
_TAG_LIKE = re.compile(r"<\s*/?\s*(?:%s)\b[^>]*>" % "|".join(DATA_TAGS), re.IGNORECASE)


def quote_data(value: object) -> str:
    """Text safe to place between data tags: tag-like sequences that could end the quote are neutralised."""
    return _TAG_LIKE.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), str(value))


def quote_attribute(value: object) -> str:
    """Text safe inside a double-quoted tag attribute."""
    return str(value).replace('"', "'").replace("<", "‹").replace(">", "›").replace("\n", " ")


@lru_cache(maxsize=8)
def prompt_environment(prompts_dir: Path) -> SandboxedEnvironment:
    """One sandboxed environment per prompts directory; templates compile once and are cached by Jinja."""
    if not (prompts_dir / "system.j2").is_file():
        raise FileNotFoundError(f"prompt templates not found in {prompts_dir} (REPLYBASE_PROMPTS_DIR)")
    environment = SandboxedEnvironment(loader=FileSystemLoader(str(prompts_dir)), undefined=StrictUndefined,
                                       autoescape=False, trim_blocks=True, lstrip_blocks=True)
    environment.filters["data"] = quote_data
    environment.filters["attribute"] = quote_attribute
    environment.globals["no_answer"] = NO_ANSWER
    return environment


def render_template(name: str, /, *, prompts_dir: Path | None = None, **context) -> str:
    """Render one template from the prompts directory, trimmed; a missing variable is an error."""
    template = prompt_environment(Path(prompts_dir or DEFAULT_PROMPTS_DIR)).get_template(name)
    return re.sub(r"\n{3,}", "\n\n", template.render(**context)).strip()


def system_prompt_snippets(prompts_dir: Path | None = None) -> list[str]:
    """Lines of the instructions a model sees, for guardrails to recognise and strip if a model leaks them."""
    rendered = render_template("system.j2", prompts_dir=prompts_dir, style=StyleSpec.neutral())
    lines = (line.strip(" -\t") for line in rendered.splitlines())
    return [line for line in lines if len(line.split()) >= 5]
