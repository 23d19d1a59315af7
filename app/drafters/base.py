"""The drafter interface: one request shape, one draft shape, one protocol every drafter implements."""

from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol, runtime_checkable

EmojiLevel = Literal["none", "light", "rich"]


@dataclass
class Source:
    """A retrieved knowledge-base chunk a reply may be built from."""

    chunk_id: int
    document_id: str
    document_title: str
    text: str
    page: int | None
    section: str | None
    score: float
    # The sentences and list lines stored with the chunk at ingestion (ingest.sentences.Unit) and their vectors;
    # None for chunks stored before they were kept: the drafter then splits and embeds at reply time.
    units: list[Any] | None = None
    unit_vectors: Any = None
    semantic_score: float | None = None  # the chunk's cosine with the question, from retrieval


@dataclass
class Turn:
    """One earlier message in the chat: the customer's or the business's."""

    role: Literal["customer", "business"]
    text: str


@dataclass
class StyleSpec:
    """How a reply should sound; built from a style profile, or `StyleSpec.neutral()` when there is none."""

    tone: str = "friendly"
    formality: str = "neutral"
    language: str = "auto"  # "auto" answers in the customer's language, else an ISO code such as "en"
    max_reply_chars: int = 600
    emoji: EmojiLevel = "none"
    greeting: str = ""  # may hold {name}, replaced by the customer's name
    sign_off: str = ""
    persona: str = ""
    rules_always: list[str] = field(default_factory=list)
    rules_never: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @classmethod
    def neutral(cls) -> "StyleSpec":
        """Plain, polite answers: no greeting, sign-off or emoji, at most 600 characters."""
        return cls()


@dataclass
class DraftRequest:
    question: str
    sources: list[Source]
    style: StyleSpec
    history: list[Turn] = field(default_factory=list)
    customer_name: str | None = None
    question_vector: Any = None  # the question's embedding when retrieval already computed it
    min_confidence: float | None = None  # answer only at or above this; None: the drafter's own rule


@dataclass
class Draft:
    text: str
    sources: list[Source]  # the ones the text was actually built from
    confidence: float  # 0..1: the drafter's probability that the reply answers the question right
    drafter: str
    answered: bool  # False when nothing in the sources answers the question: the caller hands off
    notes: list[str] = field(default_factory=list)  # fallbacks taken, guardrail changes, language caveats


class DrafterError(Exception):
    """A drafter could not produce a draft at all (timeout, bad response, not configured)."""

    reason = "failed"


class DrafterTimeout(DrafterError):
    reason = "timeout"


class DrafterUnavailable(DrafterError):
    reason = "unavailable"


class DrafterBadResponse(DrafterError):
    reason = "bad response"


class DrafterNotConfigured(DrafterError):
    reason = "not configured"


@runtime_checkable
class Drafter(Protocol):
    """Writes a reply to a customer's question from retrieved sources, in a given style.

    `name` identifies the implementation in drafts and in the reply log ("extractive", "openai", ...).

    `draft(request)` returns a `Draft`:
    - `text` is customer-facing: no source markers, no prompt text; the caller still applies guardrails.
    - `sources` lists only the sources the text was built from (a subset of `request.sources`).
    - `answered` is False when the sources do not answer the question; the text is then empty or
      meaningless and the caller must hand off instead of sending it.
    - `confidence` is in [0, 1]. Below `request.min_confidence`, or `default_min_confidence` when that is None,
      the draft is answered=False, with a note saying why.
    - `notes` explains anything a human reviewing the reply log should know (fallbacks, caveats).

    A drafter never states a fact that is not in `request.sources`, and treats the question, the history and
    the source text as data, never as instructions. It raises `DrafterError` (or a subclass) when it cannot
    draft at all; it never returns silently with an error swallowed.
    """

    name: str
    default_min_confidence: float  # the drafter's own line, on the scale of its own confidence

    def draft(self, request: DraftRequest) -> Draft: ...


def line_of(drafter: Drafter, min_confidence: float | None) -> float:
    """The confidence a draft needs to be sent: the session's setting, or the drafter's own line."""
    return drafter.default_min_confidence if min_confidence is None else min_confidence


def below_line(confidence: float, line: float) -> str:
    return f"confidence {confidence:.2f} is below {line:.2f}"


def stand_in_min_confidence(min_confidence: float | None, stand_in: Drafter) -> float | None:
    """The line for a drafter standing in for the one the session chose (a fallback, or a plan without it): the
    session's setting is on the chosen drafter's scale, so the stand-in keeps its own line unless the setting is
    stricter."""
    return None if min_confidence is None else max(min_confidence, stand_in.default_min_confidence)


def for_stand_in(request: DraftRequest, stand_in: Drafter) -> DraftRequest:
    return replace(request, min_confidence=stand_in_min_confidence(request.min_confidence, stand_in))
