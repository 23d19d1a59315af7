"""The offline default drafter: answers only by copying the source sentences that answer the question."""

import math
import re
from dataclasses import dataclass

import numpy as np

from app.drafters.base import Draft, DraftRequest, Source
from app.drafters.dressing import dress
from app.drafters.injection import looks_like_injection
from app.drafters.text import Unit, content_terms, expand, guess_language, split_units

_TIME = re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b", re.IGNORECASE)
_MONEY = re.compile(r"[£$€¥₹]\s?\d|\d\s?(?:eur|usd|gbp|euros?|dollars?|pounds?)\b|\bfree\b", re.IGNORECASE)
_PLACE = re.compile(r"\b\d+\s+\w+\s+(?:street|st|road|rd|avenue|ave|lane|square|way)\b|\bstation\b",
                    re.IGNORECASE)
_DURATION = re.compile(r"\b\d+[\s-]?(?:minutes?|mins?|hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
_CONTACT = re.compile(r"\+?\d[\d\s().-]{6,}\d|[\w.+-]+@[\w-]+\.[\w.]+")
# A question term asking for a kind of fact (a time, a price) is answered by a sentence that carries one;
# sentences without that kind of fact count for less.
CUES = {"when": _TIME, "open": _TIME, "hour": _TIME, "time": _TIME, "much": _MONEY, "price": _MONEY,
        "cost": _MONEY, "fee": _MONEY, "where": _PLACE, "address": _PLACE, "long": _DURATION, "phone": _CONTACT,
        "number": _CONTACT, "call": _CONTACT, "contact": _CONTACT, "email": _CONTACT}
MISSING_CUE_FACTOR = 0.75
REDUNDANT_OVERLAP = 0.6
_ANSWER_PREFIX = re.compile(r"^(?:A|Answer)\s*:\s*", re.IGNORECASE)
MIN_RELEVANCE = 0.5
MIN_RELEVANCE_WITH_EMBEDDER = 0.45
MAX_SENTENCES = 3
MAX_LIST_LINES = 10


@dataclass
class ScoredUnit:
    unit: Unit
    relevance: float


class ExtractiveDrafter:
    """Copies whole sentences from the sources, so numbers and names stay exact and nothing is invented.

    Sentences are ranked by weighted overlap of stemmed question terms (with synonyms and question-word cues)
    and, when an embedder is given, by cosine similarity too.
    """

    name = "extractive"

    def __init__(self, embedder=None) -> None:
        self.embedder = embedder

    def draft(self, request: DraftRequest) -> Draft:
        language = guess_language(request.question) or "en"
        units = self._answer_units(request.sources)
        scored = self._score(request.question, language, units)
        threshold = MIN_RELEVANCE_WITH_EMBEDDER if self.embedder is not None else MIN_RELEVANCE
        if not scored or scored[0].relevance < threshold:
            return Draft(text="", sources=[], confidence=round(scored[0].relevance * 0.5, 3) if scored else 0.0,
                         drafter=self.name, answered=False, notes=["no sentence in the sources answers the question"])
        chosen = self._choose(scored, threshold)
        used = sorted({item.unit.source_index for item in chosen})
        sources = [request.sources[i] for i in used]
        body = self._body(chosen)
        notes = self._language_notes(request, language, body)
        text = dress(body, request.style, customer_name=request.customer_name, history=request.history)
        retrieval = max(0.0, min(1.0, max(source.score for source in sources)))
        confidence = round(0.4 * retrieval + 0.6 * min(1.0, chosen[0].relevance), 3)
        return Draft(text=text, sources=sources, confidence=confidence, drafter=self.name, answered=True,
                     notes=notes)

    def _answer_units(self, sources: list[Source]) -> list[Unit]:
        units, seen = [], set()
        for index, source in enumerate(sources):
            question, asked_under = "", None
            for unit in split_units(source.text, index, source.section):
                text = _ANSWER_PREFIX.sub("", unit.text)
                key = re.sub(r"\W+", " ", text.lower()).strip()
                if unit.is_heading or key in seen or looks_like_injection(text):
                    continue
                if text.endswith("?"):  # an FAQ question labels the answers that follow it
                    question, asked_under = text, unit.heading
                    continue
                seen.add(key)
                label = question if unit.heading == asked_under else ""
                units.append(Unit(text, f"{unit.heading} {label}".strip(), index, unit.position, False))
        return units

    def _score(self, question: str, language: str, units: list[Unit]) -> list[ScoredUnit]:
        if not units:
            return []
        question_terms = content_terms(question, language)
        unit_terms = [content_terms(u.text, language) for u in units]
        heading_terms = [content_terms(u.heading, language) for u in units]
        weights = {term: self._weight(term, unit_terms) for term in question_terms}
        total = sum(weights.values())
        cosines = self._cosines(question, units)
        wanted = [CUES[t] for t in question_terms if t in CUES]
        scored = []
        for i, unit in enumerate(units):
            lexical = 0.0
            if total:
                matched = sum(weights[t] * self._match(t, unit, unit_terms[i], heading_terms[i])
                              for t in question_terms)
                lexical = matched / total
            relevance = lexical if cosines is None else 0.5 * lexical + 0.5 * max(0.0, float(cosines[i]))
            if wanted and not any(cue.search(unit.text) for cue in wanted):
                relevance *= MISSING_CUE_FACTOR
            scored.append(ScoredUnit(unit, relevance))
        # Ties go to the shorter, more specific sentence.
        scored.sort(key=lambda s: (-round(s.relevance, 3), len(s.unit.text), s.unit.source_index, s.unit.position))
        return scored

    @staticmethod
    def _weight(term: str, unit_terms: list[set[str]]) -> float:
        # Rare terms say more about what is asked; a term no source mentions weighs the most.
        frequency = sum(1 for terms in unit_terms if expand({term}) & terms)
        return math.log(1 + len(unit_terms) / (1 + frequency)) + 0.5

    @staticmethod
    def _match(term: str, unit: Unit, terms: set[str], heading: set[str]) -> float:
        if term in terms:
            return 1.0
        cue = CUES.get(term)
        if cue and cue.search(unit.text):
            return 1.0
        synonyms = expand({term})
        if synonyms & terms:
            return 0.8
        if term in heading or synonyms & heading:
            return 0.8
        return 0.0

    def _cosines(self, question: str, units: list[Unit]) -> np.ndarray | None:
        if self.embedder is None:
            return None
        vectors = self.embedder.embed([question] + [f"{u.heading}: {u.text}" if u.heading else u.text
                                                     for u in units])
        return vectors[1:] @ vectors[0]

    def _choose(self, scored: list[ScoredUnit], threshold: float) -> list[ScoredUnit]:
        """The best sentence, plus close runners-up from the same passage that add something new."""
        best = scored[0]
        cutoff = max(threshold, 0.85 * best.relevance)
        same_passage = [s for s in scored if s.relevance >= cutoff and s.unit.heading == best.unit.heading
                        and s.unit.source_index == best.unit.source_index]
        # Short lines of one list under a matching heading (e.g. each day's hours) answer together.
        is_list = len(same_passage) > MAX_SENTENCES and all(len(s.unit.text) < 120 for s in same_passage)
        chosen: list[ScoredUnit] = []
        for candidate in same_passage:
            if len(chosen) >= (MAX_LIST_LINES if is_list else MAX_SENTENCES):
                break
            if is_list or not any(self._redundant(candidate.unit.text, kept.unit.text) for kept in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda s: s.unit.position)

    @staticmethod
    def _redundant(text: str, kept: str) -> bool:
        terms, kept_terms = content_terms(text), content_terms(kept)
        return bool(terms) and len(terms & kept_terms) / len(terms) >= REDUNDANT_OVERLAP

    @staticmethod
    def _body(chosen: list[ScoredUnit]) -> str:
        texts = [item.unit.text for item in chosen]
        if len(texts) > MAX_SENTENCES:
            return "\n".join(texts)
        return " ".join(text if re.search(r"[.!?…)]$", text) else text + "." for text in texts)

    @staticmethod
    def _language_notes(request: DraftRequest, question_language: str, body: str) -> list[str]:
        wanted = request.style.language if request.style.language != "auto" else question_language
        written = guess_language(body)
        if written and wanted and written != wanted:
            return [f"the extractive drafter cannot translate: the reply quotes the sources in {written!r}, "
                    f"not {wanted!r}"]
        return []
