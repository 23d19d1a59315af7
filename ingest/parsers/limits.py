"""How much one document may hold, checked while it is read: a limit is never judged from a size the file declares."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.parsers.base import ParseError


@dataclass(frozen=True)
class IngestLimits:
    """Caps on one document; the defaults admit any normal document (README, "Knowledge base", says why each).

    `max_unpacked_bytes` counts every byte inflated from a DOCX and every byte of PDF page content decoded;
    `max_part_bytes` one DOCX XML part or one PDF stream; `max_characters` the extracted text;
    `max_chunks` the pieces embedded (tiny sections make many chunks from little text).
    """

    max_pages: int = 500
    max_characters: int = 3_000_000
    max_unpacked_bytes: int = 100 * 2**20
    max_part_bytes: int = 75 * 2**20
    max_chunks: int = 25_000


class CharacterBudget:
    """Counts extracted characters and refuses the document the moment it goes over the cap."""

    def __init__(self, limit: int, kind: str) -> None:
        self.limit = limit
        self.kind = kind
        self.used = 0

    def check(self, pending: int = 0) -> None:
        """Refuse if the characters spent plus `pending` (text still being gathered) exceed the cap."""
        if self.used + pending > self.limit:
            raise ParseError(f"the {self.kind} holds more than {self.limit:,} characters of text, the limit; "
                             "split it into smaller files")

    def spend(self, count: int) -> None:
        self.used += count
        self.check()


def describe_size(count: int) -> str:
    """A byte count for people: "75 MB", "64 KB"."""
    return f"{count / 2**20:.0f} MB" if count >= 2**20 else f"{count / 2**10:.0f} KB"
