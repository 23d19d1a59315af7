"""Recognises prompt-injection attempts in customer or document text, so they are never quoted as answers."""

import re

INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules?|guidelines?)\b"
    r"|\bsystem\s*prompt\b|\byou\s+are\s+now\b|\bact\s+as\b|\bpretend\s+(?:to\s+be|you)\b"
    r"|\bdeveloper\s+mode\b|\bjailbreak\b|\bnew\s+instructions?\b"
    r"|\breveal\b.{0,30}\b(?:prompt|instructions|settings)\b",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_injection(text: str) -> bool:
    return bool(INJECTION.search(text))
