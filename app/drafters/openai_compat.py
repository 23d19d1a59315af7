"""Drafts with any OpenAI-compatible chat endpoint (OpenAI, Ollama, vLLM, llama.cpp) through the `openai` package."""

import re
from pathlib import Path

from app.drafters.base import (Draft, DrafterBadResponse, DrafterNotConfigured, DrafterTimeout, DrafterUnavailable,
                               DraftRequest, below_line, line_of)
from app.drafters.dressing import dress
from app.drafters.templates import NO_ANSWER, render_template

_CITATION = re.compile(r"\s*\[(\d{1,2}(?:\s*,\s*\d{1,2})*)\]")
OPENAI_HOST = "api.openai.com"
# The least confidence at which a model's reply is sent when the account sets no min_confidence: the setting's default
# from before it could be left to the drafter, kept so that existing bots behave as they did. This confidence is a
# heuristic (the cited sources' retrieval score), not a calibrated probability as the extractive drafter's is.
DEFAULT_MIN_CONFIDENCE = 0.35


def chat_messages(request: DraftRequest, prompts_dir: Path | None = None) -> list[dict[str, str]]:
    """The system and user messages for a request; customer and document text are quoted data in the user one."""
    system = render_template("system.j2", prompts_dir=prompts_dir, style=request.style)
    user = render_template("request.j2", prompts_dir=prompts_dir, sources=request.sources, history=request.history,
                           question=request.question)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def split_citations(text: str, source_count: int) -> tuple[str, list[int]]:
    """The text without [n] markers, and the 0-based indexes of the sources it cited (in order, valid ones only)."""
    cited: list[int] = []
    for match in _CITATION.finditer(text):
        for number in re.split(r"\s*,\s*", match.group(1)):
            index = int(number) - 1
            if 0 <= index < source_count and index not in cited:
                cited.append(index)
    cleaned = _CITATION.sub("", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned).strip(), cited


class OpenAICompatDrafter:
    """Renders the prompt templates and asks a chat model; the reply keeps only what cites a source.

    Citations ([1], [2]) map back to `Source` objects and are stripped from the customer-facing text (the reply
    log keeps the sources). A reply that cites nothing, or says NO_ANSWER, is not an answer. Any transport or
    protocol failure raises a `DrafterError`, so a `FallbackDrafter` can take over.
    """

    name = "openai"

    def __init__(self, *, base_url: str, model: str, api_key: str = "", timeout_seconds: float = 20.0,
                 max_retries: int = 2, prompts_dir: Path | None = None) -> None:
        self.base_url = base_url
        self.model = model
        self.api_key = api_key
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.prompts_dir = prompts_dir
        self._client = None

    def _chat_client(self):
        if not self.base_url or not self.model:
            raise DrafterNotConfigured("set REPLYBASE_LLM_BASE_URL and REPLYBASE_LLM_MODEL")
        if OPENAI_HOST in self.base_url and not self.api_key:
            raise DrafterNotConfigured("set REPLYBASE_LLM_API_KEY to use api.openai.com")
        if self._client is None:
            from openai import OpenAI  # imported on first use: the package is heavy

            # Local servers (Ollama, llama.cpp) ignore the key, but the client insists on one.
            self._client = OpenAI(base_url=self.base_url, api_key=self.api_key or "unused",
                                  timeout=self.timeout_seconds, max_retries=self.max_retries)
        return self._client

    default_min_confidence = DEFAULT_MIN_CONFIDENCE

    def draft(self, request: DraftRequest) -> Draft:
        content = self._complete(chat_messages(request, self.prompts_dir))
        if NO_ANSWER in content:
            return Draft(text="", sources=[], confidence=0.0, drafter=self.name, answered=False,
                         notes=["the model found no answer in the sources"])
        body, cited = split_citations(content, len(request.sources))
        if not cited:
            return Draft(text="", sources=[], confidence=0.0, drafter=self.name, answered=False,
                         notes=["the model's reply cited no source, so it was not used"])
        sources = [request.sources[i] for i in cited]
        retrieval = max(0.0, min(1.0, max(source.score for source in sources)))
        # A cited answer is as trustworthy as its best source; citing every source suggests a vague answer.
        focus = 1.0 if len(cited) < max(2, len(request.sources)) else 0.85
        confidence = round(min(1.0, 0.3 + 0.7 * retrieval) * focus, 3)
        line = line_of(self, request.min_confidence)
        if confidence < line:
            return Draft(text="", sources=[], confidence=confidence, drafter=self.name, answered=False,
                         notes=[f"the model's reply was not used: {below_line(confidence, line)}"])
        text = dress(body, request.style, customer_name=request.customer_name, history=request.history)
        return Draft(text=text, sources=sources, confidence=confidence, drafter=self.name, answered=True)

    def _complete(self, messages: list[dict[str, str]]) -> str:
        import openai

        client = self._chat_client()
        try:
            completion = client.chat.completions.create(model=self.model, messages=messages, temperature=0.2)
        except openai.APITimeoutError as exc:
            raise DrafterTimeout(f"no answer within {self.timeout_seconds:g}s from {self.base_url}") from exc
        except openai.APIStatusError as exc:
            raise DrafterUnavailable(f"{self.base_url} answered HTTP {exc.status_code}") from exc
        except openai.APIConnectionError as exc:
            raise DrafterUnavailable(f"cannot reach {self.base_url}: {exc}") from exc
        except (openai.OpenAIError, ValueError) as exc:  # malformed JSON or an unexpected shape
            raise DrafterBadResponse(f"unreadable answer from {self.base_url}: {exc}") from exc
        try:
            content = completion.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise DrafterBadResponse(f"the answer from {self.base_url} has no message") from exc
        if not isinstance(content, str) or not content.strip():
            raise DrafterBadResponse(f"the answer from {self.base_url} is empty")
        return content.strip()

