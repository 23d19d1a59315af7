"""Derives a style from a business's own messages: length, emoji, greeting and sign-off habits, formality."""

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from app.drafters.text import count_emoji, strip_emoji, words
from ingest.language import detect_language

HABIT_SHARE = 0.3  # a phrase used in at least this share of messages is a habit
EXAMPLES_TO_KEEP = 3
_GREETING = re.compile(
    r"^(hi|hiya|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings|hola|buenos\s+d[ií]as|bonjour|"
    r"salut|ciao|hallo|ol[áa]|oi)\b([^,!.\n]{0,30})([,!.]?)", re.IGNORECASE)
_CLOSING = re.compile(
    r"\b(thanks?|thank\s+you|many\s+thanks|cheers|best|regards|kind\s+regards|best\s+regards|warm\s+regards|"
    r"sincerely|yours|have\s+a\s+(?:nice|great|good|lovely)\s+(?:day|weekend|evening)|see\s+you|talk\s+soon|"
    r"take\s+care|saludos|gracias|merci|cordialement|grazie|danke|obrigad[oa])\b", re.IGNORECASE)
_CONTRACTION = re.compile(r"\b\w+['’](?:s|re|ll|ve|d|t|m)\b", re.IGNORECASE)
SLANG = {"gonna", "wanna", "gotta", "lol", "thx", "btw", "u", "ya", "yeah", "yep", "nope", "cool", "awesome", "np",
         "ok", "okay", "omg", "haha", "hey", "cheers", "asap", "pls", "plz", "xx", "x"}
FORMAL = re.compile(r"\b(?:dear|kind\s+regards|best\s+regards|sincerely|yours\s+faithfully|please\s+find|kindly|"
                    r"we\s+would\s+be|shall|apologi[sz]e|mr|mrs|ms|madam|sir)\b", re.IGNORECASE)


@dataclass
class LearnedStyle:
    fields: dict  # values for a style profile
    stats: dict  # what they were derived from, shown to the user


def _greeting_of(message: str) -> str | None:
    match = _GREETING.match(message.strip())
    if not match:
        return None
    word, rest, punctuation = match.groups()
    rest_words = rest.split()
    # "Hi Anna," and "Hi Tom," are one habit: "Hi {name},".
    if rest_words and all(w[:1].isupper() for w in rest_words) and len(rest_words) <= 2:
        return f"{word.capitalize()} {{name}}{punctuation}"
    return f"{word.capitalize()}{rest.rstrip()}{punctuation}"


def _sign_off_of(message: str) -> str | None:
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if len(lines) >= 2 and len(lines[-1].split()) <= 6 and not lines[-1].endswith("?"):
        last = lines[-1]
        if len(lines) >= 3 and _CLOSING.match(lines[-2]) and _CLOSING.match(lines[-2]).start() == 0 \
                and len(lines[-2].split()) <= 4:
            last = f"{lines[-2]}\n{last}"  # "Kind regards,\nTom"
        return last
    # In a one-line message, a closing phrase near the end ("... see you soon! Cheers, Tom").
    tail = lines[-1] if lines else ""
    for match in reversed(list(_CLOSING.finditer(tail))):
        ending = tail[match.start():].strip()
        if match.start() > 0 and len(ending) <= 40 and len(ending.split()) <= 6:
            return ending
    return None


def _habit(phrases: list[str | None], total: int) -> dict | None:
    counted = Counter(p for p in phrases if p)
    if not counted:
        return None
    phrase, uses = counted.most_common(1)[0]
    share = uses / total
    return {"phrase": phrase, "share": round(share, 2)} if share >= HABIT_SHARE else None


def _formality(samples: list[str]) -> dict:
    contractions = slang = formal = 0
    leaning = 0
    for text in samples:
        tokens = words(text)
        casual_points = (len(_CONTRACTION.findall(text)) + sum(t in SLANG for t in tokens)
                         + (count_emoji(text) > 0) + ("!" in text))
        formal_points = 2 * len(FORMAL.findall(text))
        contractions += len(_CONTRACTION.findall(text))
        slang += sum(t in SLANG for t in tokens)
        formal += len(FORMAL.findall(text))
        leaning += (formal_points > casual_points) - (casual_points > formal_points)
    score = leaning / len(samples)
    level = "formal" if score >= 0.3 else "casual" if score <= -0.3 else "neutral"
    return {"level": level, "score": round(score, 2), "contractions": contractions, "slang": slang,
            "formal_markers": formal}


def _examples(samples: list[str], typical: float) -> list[str]:
    fitting = [s for s in samples if 0.5 * typical <= len(s) <= 2 * typical and len(s) <= 1000]
    return sorted(fitting, key=lambda s: (abs(len(s) - typical), s))[:EXAMPLES_TO_KEEP]


def learn_style(samples: list[str]) -> LearnedStyle:
    """A style profile's fields from sample messages (deduplicated, so one broadcast counts once)."""
    samples = list(dict.fromkeys(s.strip() for s in samples if s.strip()))
    if not samples:
        raise ValueError("no non-empty messages to learn from")
    lengths = sorted(len(s) for s in samples)
    typical = statistics.median(lengths)
    p90 = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    emoji_counts = [count_emoji(s) for s in samples]
    emoji_rate = sum(emoji_counts) / len(samples)
    with_emoji = sum(1 for c in emoji_counts if c) / len(samples)
    emoji = "none" if with_emoji < 0.15 else "rich" if emoji_rate >= 1.5 else "light"
    greeting = _habit([_greeting_of(s) for s in samples], len(samples))
    sign_off = _habit([_sign_off_of(s) for s in samples], len(samples))
    formality = _formality(samples)
    languages = Counter(detect_language(strip_emoji(s)) for s in samples)
    languages.pop(None, None)
    language, language_share = ("auto", 0.0)
    if languages:
        code, uses = languages.most_common(1)[0]
        language_share = uses / len(samples)
        language = code if language_share >= 0.6 else "auto"
    tone = ("professional" if formality["level"] == "formal" else "concise" if typical < 80 else "friendly")
    max_reply_length = max(80, min(4096, int(round(p90 * 1.2, -1))))
    examples = _examples(samples, typical)
    persona = (f"Write like the business's own messages: {formality['level']}, usually about {int(typical)} "
               f"characters, {'no' if emoji == 'none' else emoji} emoji.")
    fields = {"tone": tone, "formality": formality["level"], "language": language,
              "max_reply_length": max_reply_length, "emoji": emoji,
              "greeting": greeting["phrase"] if greeting else "", "sign_off": sign_off["phrase"] if sign_off else "",
              "persona": persona, "examples": examples}
    stats = {"sample_count": len(samples), "typical_length": int(typical),
             "average_length": round(sum(lengths) / len(lengths), 1), "p90_length": p90,
             "emoji_rate": round(emoji_rate, 2), "messages_with_emoji": round(with_emoji, 2),
             "greeting": greeting, "sign_off": sign_off, "formality": formality,
             "language": {"code": language, "share": round(language_share, 2)}, "examples_picked": len(examples)}
    return LearnedStyle(fields=fields, stats=stats)
