"""The offline extractive drafter: quotes source sentences, and answers or hands off by a model fitted on public data
(bench/answerability.py), not by hand-tuned weights."""

import re

import numpy as np

from app.drafters.answer_model import load_model
from app.drafters.base import Draft, DraftRequest, Source, below_line, line_of
from app.drafters.dressing import dress
from app.drafters.features import Candidate, featurise, terms
from app.drafters.injection import looks_like_injection
from ingest.language import detect_language
from ingest.sentences import Unit, own_lines, split_units

# Which runners-up join the best sentence: same passage, and at least this share of its probability. This only
# shapes how long a reply is, not whether the bot answers (that is the fitted model's threshold).
RUNNER_UP_SHARE = 0.85
REDUNDANT_OVERLAP = 0.6
MAX_SENTENCES = 3
MAX_LIST_LINES = 10
SOURCE_SAMPLE_CHARS = 1000  # lingua is sure of a language well before this


def question_language(question: str, sources: list[Source]) -> str:
    """The question's language, or the documents' when a short question does not tell ("¿Tienen spa o sauna?"):
    stopwords and stems must be those of the language the sentences are compared in."""
    return (detect_language(question) or detect_language(" ".join(s.text for s in sources)[:SOURCE_SAMPLE_CHARS])
            or "en")


class FittedExtractiveDrafter:
    """Quotes whole sentences from the sources, so numbers and names stay exact and nothing is invented.

    Each candidate sentence is scored by a fitted logistic regression over MiniLM cosine, BM25 over the candidate
    sentences, rare-term coverage, answer type, negation and margins (app/drafters/features.py); `confidence`
    is the calibrated probability that the reply is right. The drafter declines below the account's
    `min_confidence`, or, by default, below the fitted model's threshold (0.5: more likely right than not).
    """

    name = "extractive"

    def __init__(self, embedder) -> None:
        self.embedder = embedder

    @property
    def model(self):
        return load_model()  # cached; read on first use, so the fitting script can list candidates before a model

    @property
    def default_min_confidence(self) -> float:
        return self.model.threshold

    def draft(self, request: DraftRequest) -> Draft:
        language = question_language(request.question, request.sources)
        candidates = self._candidates(request.sources)
        if not candidates:
            return self._decline(0.0, "the sources hold no sentence to quote")
        question_vector = request.question_vector
        if question_vector is None:
            question_vector = self.embedder.embed([request.question])[0]
        features = featurise(request.question, np.asarray(question_vector, dtype=np.float32), candidates,
                             [source.score for source in request.sources], language,
                             [source.semantic_score or 0.0 for source in request.sources])
        scores = self.model.unit_scores(features)
        confidence = round(self.model.confidence(scores, features), 3)
        line = line_of(self, request.min_confidence)
        if confidence < line:
            return self._decline(confidence, below_line(confidence, line))
        chosen = self._choose(candidates, scores, language)
        used = sorted({candidate.source_index for candidate in chosen})
        sources = [request.sources[i] for i in used]
        body = self._body(chosen)
        notes = self._language_notes(request, language, body)
        text = dress(body, request.style, customer_name=request.customer_name, history=request.history)
        return Draft(text=text, sources=sources, confidence=confidence, drafter=self.name, answered=True, notes=notes)

    def _decline(self, confidence: float, why: str) -> Draft:
        return Draft(text="", sources=[], confidence=confidence, drafter=self.name, answered=False,
                     notes=[why])

    def _units(self, source: Source) -> tuple[list[Unit], np.ndarray]:
        if source.units is not None and source.unit_vectors is not None and len(source.units):
            return source.units, np.asarray(source.unit_vectors, dtype=np.float32)
        units = split_units(source.text, source.section)  # a chunk stored before units were kept
        vectors = self.embedder.embed([u.text for u in units]) if units else np.zeros((0, 1), dtype=np.float32)
        return units, np.asarray(vectors, dtype=np.float32)

    def _candidates(self, sources: list[Source]) -> list[Candidate]:
        candidates, seen = [], set()
        for index, source in enumerate(sources):
            units, vectors = self._units(source)
            texts = [u.text for u in units]
            lines = own_lines(source.text)
            question, asked_under, label_vector = "", None, None
            headings: dict[str, np.ndarray] = {}
            for position, (unit, vector) in enumerate(zip(units, vectors)):
                if unit.is_heading:
                    headings[unit.text] = vector
                    continue
                key = re.sub(r"\W+", " ", unit.text.lower()).strip()
                if key in seen or looks_like_injection(unit.text):
                    continue
                # A question is never an answer. On a line of its own (an FAQ's), it labels the answers after it.
                if unit.text.endswith("?"):
                    if unit.text in lines:
                        question, asked_under, label_vector = unit.text, unit.heading, vector
                    continue
                seen.add(key)
                label = question if unit.heading == asked_under else ""
                context = " ".join(texts[max(0, position - 1):position] + texts[position + 1:position + 2])
                candidates.append(Candidate(unit.text, f"{unit.heading} {label}".strip(), index, position,
                                            context, vector, label_vector if label else None,
                                            headings.get(unit.heading)))
        return candidates

    def _choose(self, candidates: list[Candidate], scores: np.ndarray, language: str) -> list[Candidate]:
        """The best sentence, plus close runners-up from the same passage that add something new."""
        order = np.argsort(-scores, kind="stable")
        best = candidates[order[0]]
        probabilities = 1 / (1 + np.exp(-scores))
        cutoff = RUNNER_UP_SHARE * probabilities[order[0]]
        same_passage = [candidates[i] for i in order if probabilities[i] >= cutoff
                        and candidates[i].heading == best.heading and candidates[i].source_index == best.source_index]
        # Short lines of one list under a matching heading (e.g. each day's hours) answer together.
        is_list = len(same_passage) > MAX_SENTENCES and all(len(c.text) < 120 for c in same_passage)
        chosen: list[Candidate] = []
        for candidate in same_passage:
            if len(chosen) >= (MAX_LIST_LINES if is_list else MAX_SENTENCES):
                break
            if is_list or not any(self._redundant(candidate.text, kept.text, language) for kept in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda c: c.position)

    @staticmethod
    def _redundant(text: str, kept: str, language: str) -> bool:
        own, kept_terms = set(terms(text, language)), set(terms(kept, language))
        return bool(own) and len(own & kept_terms) / len(own) >= REDUNDANT_OVERLAP

    @staticmethod
    def _body(chosen: list[Candidate]) -> str:
        texts = [candidate.text for candidate in chosen]
        if len(texts) > MAX_SENTENCES:
            return "\n".join(texts)
        return " ".join(text if re.search(r"[.!?…)]$", text) else text + "." for text in texts)

    @staticmethod
    def _language_notes(request: DraftRequest, asked_in: str, body: str) -> list[str]:
        wanted = request.style.language if request.style.language != "auto" else asked_in
        written = detect_language(body)
        if written and wanted and written != wanted:
            return [f"the extractive drafter cannot translate: the reply quotes the sources in {written!r}, "
                    f"not {wanted!r}"]
        return []
