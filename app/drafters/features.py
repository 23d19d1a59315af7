"""What the answer decision sees of each candidate sentence: how close it is to the question (MiniLM cosine, BM25
over the candidate sentences, coverage of the question's rare terms), whether it carries the kind of fact asked
for, negation, and how it stands against the other candidates. The model that weighs these is answer_model.py."""

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import Stemmer

from ingest.language import STEMMERS, stopwords

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_DIGIT = re.compile(r"\d")
# Questions that want a number, an amount, a date, a time or a phone number, in the seven languages (lower case).
_WANTS_NUMBER = re.compile(
    r"\b(?:how (?:much|many|long|old|far|often|late|early|soon)|when|what (?:time|year|date|day|percentage)"
    r"|which year|price|cost|cuánto|cuántos|cuántas|cuándo|qué hora|quanto|quantos|quantas|quando|que horas"
    r"|combien|quand|quelle heure|wie (?:viel|viele|lange|spät|alt)|wann|quanti|quante|a che ora"
    r"|hoeveel|wanneer|hoe (?:lang|laat|oud)"
    r"|phone|number|tel[eé]fono|telefone|t[eé]l[eé]phone|telefon|telefoon|n[uú]mero|nummer)\b")
# Finer answer kinds: a question that asks for a way to reach the business, a price, a time or an address is
# answered by a sentence that carries one. Question words and street words in the seven languages.
_ANSWER_KINDS = {
    "contact": (re.compile(r"\b(?:phone|telephone|call|contact|whatsapp|e-?mail|reach you|tel[eé]fono|llamar|correo"
                           r"|telefone|ligar|t[eé]l[eé]phone|appeler|contacter|courriel|telefon(?:nummer)?|handynummer"
                           r"|anrufen|kontakt|telefono|chiamare|contattare|telefoon(?:nummer)?|bellen|bereiken)\b"),
                re.compile(r"\+?\d(?:[\s().\-]?\d){7,}|[\w.+-]+@[\w-]+\.\w+")),  # 8+ digits: not a time or a date
    # "how much" alone is a price in English; elsewhere the word for "how many" needs a cost word beside it.
    "price": (re.compile(r"\b(?:how much|price|prices|cost|costs|fee|fees|precio|cuesta|tarifa|pre[cç]o|custa|prix"
                         r"|co[uû]te|tarif|preis|kostet|kosten|geb[uü]hr|prezzo|quanto costa|prijs|kost)\b"),
              re.compile(r"[£$€¥]\s?\d|\d\s?[£$€]|\d\s?(?:eur|euros?|usd|gbp|dollars?|pounds?)\b"
                         r"|\b(?:free of charge|gratis|gratuit|gratuita?|kostenlos|kostenloos)\b", re.IGNORECASE)),
    "time": (re.compile(r"\b(?:when|what time|hours|open|opening|cu[aá]ndo|qu[eé] hora|horario|abr[eií]s?|quand"
                        r"|quelle heure|horaires?|ouvert|wann|uhrzeit|[oö]ffnungszeiten|ge[oö]ffnet|quando|che ora"
                        r"|orari|aperto|wanneer|hoe laat|openingstijden)\b"),
             # A clock time, or a year (not a Dutch postcode such as "2011 AB").
             re.compile(r"\b\d{1,2}(?::\d{2}|h\d{0,2}|\s?(?:am|pm|uhr|uur|h|ore)\b)"
                        r"|\b\d{1,2}\.\d{2}\s?(?:am|pm|uhr|uur|h)\b|\b(?:1[5-9]|20)\d\d\b(?!\s?(?-i:[A-Z]{2}\b))",
                        re.IGNORECASE)),
    # A street word next to a capitalised name and a house number; the street words ignore case, the name not.
    "place": (re.compile(r"\b(?:where|address|location|located|directions|find you|d[oó]nde|direcci[oó]n|ubicaci[oó]n"
                         r"|onde|endere[cç]o|localiza[cç][aã]o|où|adresse|situ[eé]s?|wo|anfahrt|dove|indirizzo|waar"
                         r"|adres|ligging)(?!\w)"),
              re.compile(r"\b\d+\w?,?\s+(?:[A-ZÀ-Ý][^\W\d_]*\s+){1,3}(?i:street|st|road|rd|avenue|ave|lane|square"
                         r"|drive|boulevard)\b|\b(?i:calle|c/|avenida|avda|plaza|paseo|camino|rua|pra[cç]a|travessa"
                         r"|rue|avenue|boulevard|chemin|quai|via|viale|piazza)"
                         r"(?:\s+(?:[A-ZÀ-Ý][^\W\d_]*|d[aeiou]s?|del|della|la|las|los|el|le))+,?\s+\d+"
                         r"|\b\d+,?\s+(?i:rue|avenue|boulevard|chemin|quai|via|calle|avenida|rua)"
                         r"(?:\s+(?:d[aeiou]s?|del|la|le))*\s+[A-ZÀ-Ý]"
                         r"|\b[A-ZÀ-Ý][^\W\d_]*(?i:stra(?:ß|ss)e|str\.|platz|gasse|allee|straat|laan|plein|gracht|kade)"
                         r"\s+\d+")),
}
_NEGATION = re.compile(r"\b(?:not|no|never|none|without|cannot|nunca|sin|não|nao|nem|sem|ne|pas|jamais|sans"
                       r"|nicht|kein|keine|keinen|nie|ohne|non|mai|senza|niet|geen|nooit|zonder)\b|n't\b")
BM25_K1, BM25_B = 1.2, 0.75  # Lucene's defaults, as in indexes/keyword.py

FEATURES = ("cosine", "cosine_gap", "best_cosine", "bm25", "coverage", "context_coverage", "missing_rare",
            "label_cosine", "heading_cosine", "retrieval", "source_cosine", "source_rank", "wants_number",
            "answer_kind", "negation_mismatch", "novelty", "log_length")


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS.get(language, "english"))


_CLITIC = re.compile(r"'(?:s|re|ll|ve|d|m)$")


def words(text: str) -> list[str]:
    """Lower-case words; "what's" and "we're" count as "what" and "we"."""
    return [_CLITIC.sub("", w.lower().replace("’", "'")) for w in _WORD.findall(text)]


@lru_cache(maxsize=16)
def _stop(language: str) -> frozenset[str]:
    return stopwords(language) | stopwords("en")


# Question words missing from a language's NLTK list (English's list is applied to every language). They say what
# kind of answer is wanted (wants_number, answer_kind), not what it is about: a sentence that answers "how much" never
# says "much", so as terms they would always be "missing".
QUESTION_WORDS = {language: frozenset(words.split()) for language, words in {
    "en": "much many long often whose",  # "how long" asks for a duration, as "how much" for an amount
    "es": "cómo cuánto cuánta cuántos cuántas dónde cuándo cuál quién",
    "pt": "quanto quanta quantos quantas onde",
    "fr": "comment combien où quand quel quelle quels quelles pourquoi",
    "de": "viele wann wer warum",
    "it": "quando",
    "nl": "hoeveel waar wanneer welke waarom",
}.items()}


@lru_cache(maxsize=16)
def _question_stop(language: str) -> frozenset[str]:
    return _stop(language) | QUESTION_WORDS["en"] | QUESTION_WORDS.get(language, frozenset())


# Knowledge-base sentences recur from question to question: their terms are worth keeping.
@lru_cache(maxsize=50_000)
def terms(text: str, language: str = "en", question: bool = False) -> tuple[str, ...]:
    """Stemmed words that carry meaning (stopwords of the language and of English removed); numbers kept. For a
    `question`, its question words go too."""
    stop = _question_stop(language) if question else _stop(language)
    kept = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    return tuple(_stemmer(language).stemWords(kept))


@dataclass
class Candidate:
    """A sentence or list line a reply could quote, with its place in the sources."""

    text: str
    heading: str
    source_index: int
    position: int
    context: str  # the neighbouring units of the same source
    vector: np.ndarray
    label_vector: np.ndarray | None = None  # the FAQ question this answer sits under, if any
    heading_vector: np.ndarray | None = None  # the heading it sits under (a section, a document's title), if any


def featurise(question: str, question_vector: np.ndarray, candidates: list[Candidate], retrieval: list[float],
              language: str, source_cosines: list[float] | None = None) -> np.ndarray:
    """One row of FEATURES per candidate; `retrieval` is each source's search score, best source first, and
    `source_cosines` each source's MiniLM cosine with the question."""
    if not candidates:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    question_terms = list(dict.fromkeys(terms(question, language, question=True)))
    unit_terms = [terms(c.text, language) for c in candidates]
    heading_terms = [set(terms(c.heading, language)) for c in candidates]
    context_terms = [set(terms(c.context, language)) for c in candidates]
    count = len(candidates)
    frequency = {t: sum(1 for ts in unit_terms if t in ts) for t in question_terms}
    idf = {t: math.log(1 + (count - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in question_terms}
    total_idf = sum(idf.values()) or 1.0
    top_idf = max(idf.values(), default=1.0) or 1.0
    average_length = sum(len(ts) for ts in unit_terms) / count or 1.0
    cosines = np.asarray([c.vector for c in candidates], dtype=np.float32) @ question_vector
    best_cosine = float(cosines.max())
    lowered = question.lower()
    wants_number = bool(_WANTS_NUMBER.search(lowered))
    # A word that names the kind of answer ("address", "phone", "hours") is answered by a value of that kind (a
    # street, a number, a clock time), not by the word itself: a candidate that carries the value covers the word.
    asked = [(answer, set(terms(" ".join(m.group(0) for m in question_words.finditer(lowered)), language,
                                question=True)))
             for question_words, answer in _ANSWER_KINDS.values() if question_words.search(lowered)]
    kinds = [answer for answer, _ in asked]
    question_negated = bool(_NEGATION.search(lowered))
    question_set = set(question_terms)
    rows = []
    for i, candidate in enumerate(candidates):
        carried = [kind_terms for answer, kind_terms in asked if answer.search(candidate.text)]
        own = set(unit_terms[i]).union(*carried)
        bm25 = 0.0
        for t in question_terms:
            tf = unit_terms[i].count(t)
            if tf:
                norm = tf + BM25_K1 * (1 - BM25_B + BM25_B * len(unit_terms[i]) / average_length)
                bm25 += idf[t] * tf * (BM25_K1 + 1) / norm
        covered = sum(idf[t] for t in question_terms if t in own or t in heading_terms[i])
        in_context = sum(idf[t] for t in question_terms if t in own or t in heading_terms[i] or t in context_terms[i])
        missing = [idf[t] for t in question_terms
                   if t not in own and t not in heading_terms[i] and t not in context_terms[i]]
        said = set(unit_terms[i])
        novelty = len(said - question_set) / len(said) if said else 0.0
        label = float(candidate.label_vector @ question_vector) if candidate.label_vector is not None else 0.0
        heading = float(candidate.heading_vector @ question_vector) if candidate.heading_vector is not None else 0.0
        index = candidate.source_index
        has_number = bool(_DIGIT.search(candidate.text))
        rows.append([
            float(cosines[i]), float(cosines[i]) - best_cosine, best_cosine,
            bm25 / total_idf, covered / total_idf, in_context / total_idf, max(missing, default=0.0) / top_idf,
            label, heading, retrieval[index] if index < len(retrieval) else 0.0,
            source_cosines[index] if source_cosines and index < len(source_cosines) else 0.0,
            math.log1p(index),
            (1.0 if has_number else -1.0) if wants_number else 0.0,
            (1.0 if carried else -1.0) if kinds else 0.0,
            float(question_negated != bool(_NEGATION.search(candidate.text.lower()))),
            novelty, math.log1p(len(words(candidate.text))),
        ])
    return np.asarray(rows, dtype=np.float32)
