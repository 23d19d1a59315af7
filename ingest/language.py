"""Which language a text is in (lingua, restricted to the languages we support) and that language's stopwords
(the NLTK/Snowball lists bm25s ships) and Snowball stemmer name (PyStemmer)."""

from collections import Counter
from collections.abc import Callable
from functools import lru_cache

import bm25s.stopwords

SUPPORTED = ("en", "es", "pt", "fr", "de", "it", "nl")
STEMMERS = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french", "de": "german", "it": "italian",
            "nl": "dutch"}
# Below this, lingua's best guess on a short text is little better than chance among seven languages.
MIN_CONFIDENCE = 0.5


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder  # heavy: built once, on first use

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def warm_up() -> None:
    """Load the language models now (about 2 s) rather than on the first customer's message."""
    _detector()


def detect_language(text: str, candidates: tuple[str, ...] = SUPPORTED,
                    min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """The ISO 639-1 code of `text` among `candidates`, or None when lingua is not confident enough."""
    if not text.strip():
        return None
    values = _detector().compute_language_confidence_values(text)
    scores = {value.language.iso_code_639_1.name.lower(): value.value for value in values}
    allowed = {code: scores.get(code, 0.0) for code in candidates}
    total = sum(allowed.values())
    if not total:
        return None
    best = max(allowed, key=allowed.get)
    return best if allowed[best] / total >= min_confidence else None


def text_languages(texts: list[str], sample_chars: int = 1000,
                   between: Callable[[], None] | None = None) -> list[str | None]:
    """The language of each of a document's texts (its chunks); a text too short to tell (a table row, a heading)
    takes the document's most common language, and None only when no text of the document tells. `between()` runs
    after each text (a background caller gives way there)."""
    detected = []
    for text in texts:
        detected.append(detect_language(text[:sample_chars]))
        if between is not None:
            between()
    counts = Counter(language for language in detected if language)
    document_language = counts.most_common(1)[0][0] if counts else None
    return [language or document_language for language in detected]


# The short NLTK lists, not stopwords-iso's: those drop words that carry a question ("number", "open", "year").
_STOPWORDS = {"en": "STOPWORDS_EN_PLUS", "es": "STOPWORDS_SPANISH", "pt": "STOPWORDS_PORTUGUESE",
              "fr": "STOPWORDS_FRENCH", "de": "STOPWORDS_GERMAN", "it": "STOPWORDS_ITALIAN", "nl": "STOPWORDS_DUTCH"}


@lru_cache(maxsize=16)
def stopwords(language: str) -> frozenset[str]:
    """The stopwords of `language` (English for an unknown code)."""
    return frozenset(getattr(bm25s.stopwords, _STOPWORDS.get(language, "STOPWORDS_EN_PLUS")))
