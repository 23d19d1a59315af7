"""Small text tools the drafters share: sentence units, stemmed terms with synonyms, language guess, emoji."""

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"'(\[]?[A-Z0-9À-Ý£$€+])")
_LIST_MARKER = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+")

STOPWORDS = {
    "en": set("a an the and or but if of to in on at by for with from as is are was were be been being do does did "
              "i you he she it we they me my your our their this that these those there here what which who whom "
              "can could would should will shall may might must have has had not no yes so than too very just "
              "about into over also any some all please hi hello hey thanks thank tell know want like get "
              "s t don doesn isn aren im i'm you're we're it's what how why which whats what's".split()),
    "es": set("el la los las un una y o de del a en con por para que es son está están se su sus mi tu yo "
              "hola gracias cuál cuándo dónde cómo qué".split()),
    "fr": set("le la les un une et ou de des du à au aux en avec pour que qui est sont vous nous je tu il elle "
              "bonjour merci quel quelle quand où comment".split()),
    "de": set("der die das ein eine und oder von zu in im mit für ist sind sie wir ich du er es nicht "
              "hallo danke wann wo wie was".split()),
    "it": set("il lo la i gli le un una e o di da in con per che è sono voi noi io tu ciao grazie quando dove "
              "come cosa".split()),
    "pt": set("o a os as um uma e ou de do da em com para que é são você nós eu olá obrigado quando onde "
              "como".split()),
    "nl": set("de het een en of van in met voor dat is zijn jullie wij ik jij hallo bedankt wanneer waar hoe "
              "wat".split()),
}
STEMMERS = {"en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian", "pt": "portuguese",
            "nl": "dutch"}

# Words customers and documents use for the same thing (English stems); each group matches as one concept.
SYNONYM_GROUPS = [
    {"open", "hour", "close", "closed", "time", "when"},
    {"price", "cost", "fee", "charg", "much", "pay", "expens", "cheap", "rate"},
    {"deliv", "deliveri", "ship", "shipping", "post", "send", "courier", "dispatch"},
    {"return", "refund", "exchang", "money", "back"},
    {"phone", "call", "contact", "number", "whatsapp", "email", "mail", "reach"},
    {"where", "address", "locat", "find", "street", "situat", "direct"},
    {"book", "reserv", "appoint", "slot", "schedul"},
    {"rent", "hire", "rental", "lend"},
    {"repair", "fix", "servic", "mend", "broken", "workshop", "tune"},
    {"discount", "offer", "deal", "off", "promot", "sale", "coupon"},
    {"pay", "payment", "card", "cash", "accept", "appl", "googl"},
    {"long", "take", "durat", "ready", "wait"},
    {"warranti", "guarante"},
    {"park", "parking"},
    {"bike", "bicycl", "cycl", "e-bike", "ebik"},
]


# One-way: "weekend" asks about Saturday and Sunday, but Saturday does not answer a question about Sunday.
BROADER_TERMS = {"weekend": {"saturday", "sunday"}, "contact": {"phone", "email", "whatsapp"}}


@lru_cache(maxsize=8)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS.get(language, "english"))


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def guess_language(text: str) -> str | None:
    """The ISO code whose common words dominate `text`, or None when it is too short to tell."""
    tokens = words(text)
    counts = {code: sum(token in stop for token in tokens) for code, stop in STOPWORDS.items()}
    best = max(counts, key=counts.get)
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] < 2 or ranked[0] == ranked[1]:
        return None
    return best


@lru_cache(maxsize=1)
def _synonyms_of() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        for stem in group:
            index.setdefault(stem, set()).update(group)
    return {stem: frozenset(group) for stem, group in index.items()}


def content_terms(text: str, language: str = "en") -> set[str]:
    """Stemmed words that carry meaning (no stopwords); numbers are kept as they are."""
    stop = STOPWORDS.get(language, STOPWORDS["en"]) | STOPWORDS["en"]
    tokens = [t for t in words(text) if t not in stop and (len(t) > 1 or t.isdigit())]
    return set(_stemmer(language).stemWords(tokens))


def expand(terms: set[str]) -> set[str]:
    """Terms plus their synonyms (matched by stem prefix, so 'deliveri' and 'deliv' meet)."""
    synonyms = _synonyms_of()
    expanded = set(terms)
    for term in terms:
        for stem, group in synonyms.items():
            if term == stem or (len(stem) >= 4 and term.startswith(stem)):
                expanded |= group
        expanded |= BROADER_TERMS.get(term, set())
    return expanded


@dataclass(frozen=True)
class Unit:
    """A sentence or list line of a source, with the heading it sits under; the smallest thing a reply quotes."""

    text: str
    heading: str
    source_index: int
    position: int
    is_heading: bool


def _looks_like_heading(line: str) -> bool:
    stripped = line.strip()
    return (0 < len(stripped.split()) <= 6 and not re.search(r"[.!?:;,]$", stripped) and ":" not in stripped
            and not re.search(r"\d", stripped))


def split_units(text: str, source_index: int, section: str | None = None) -> list[Unit]:
    """Sentences and list lines in document order; short title-like lines become headings for what follows."""
    units: list[Unit] = []
    heading = section or ""
    for raw_line in text.splitlines():
        line = _LIST_MARKER.sub("", raw_line.strip().strip("|").strip()).strip()
        line = re.sub(r"\s*\|\s*", " — ", line)  # a table row reads as one line
        line = line.lstrip("#").strip()
        if not line:
            continue
        if _looks_like_heading(line):
            heading = line
            units.append(Unit(line, heading, source_index, len(units), True))
            continue
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if sentence:
                units.append(Unit(sentence, heading, source_index, len(units), False))
    return units


def strip_emoji(text: str) -> str:
    without = re.sub(r"[ \t]{2,}", " ", EMOJI.sub("", text))
    return re.sub(r"[ \t]+([.,!?;:])", r"\1", without).strip()


def count_emoji(text: str) -> int:
    return sum(1 for run in EMOJI.findall(text) for c in run if c not in ("\uFE0F", "\u200D"))
