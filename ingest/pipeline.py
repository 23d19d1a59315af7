"""The database-free half of ingestion: parse -> chunk -> embed, with content-hash dedupe and progress."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ingest.chunking import Chunk, iter_chunks
from ingest.embedders import Embedder
from ingest.language import text_languages
from ingest.parsers import IngestLimits, ParsedDocument, ParseError, Section, normalise_whitespace, parse_document
from ingest.parsers.limits import CharacterBudget
from ingest.sentences import Unit, section_heading, split_units

# step name ("parse", "chunk", "embed"), units done, units in total
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class KnownChunk:
    """What an earlier ingestion stored for a chunk text: its vector, its quotable units and their vectors."""

    vector: np.ndarray
    units: tuple[Unit, ...] | None = None
    unit_vectors: np.ndarray | None = None


# Given the content hashes of a document's chunks, what is stored for those already embedded (a bare vector means
# the units still have to be embedded).
VectorLookup = Callable[[list[str]], Mapping[str, "np.ndarray | KnownChunk"]]
KnownVectors = Mapping[str, "np.ndarray | KnownChunk"] | VectorLookup

_NO_VECTORS: Mapping[str, np.ndarray] = MappingProxyType({})


def content_hash(text: str) -> str:
    """sha256 hex of the text after Unicode (NFC) and whitespace normalisation, the key for embedding reuse."""
    normalised = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def document_hash(data: bytes) -> str:
    """sha256 hex of the uploaded bytes, to recognise a file uploaded twice."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class EmbeddedChunk:
    """A chunk with its content hash and its unit-length float32 vector, plus the sentences and list lines a reply
    may quote from it (`units`) and their vectors (`unit_vectors`, one row per unit)."""

    text: str
    page: int | None
    section: str | None
    ordinal: int
    content_hash: str
    vector: np.ndarray
    units: tuple[Unit, ...] = ()
    unit_vectors: np.ndarray | None = None
    language: str | None = None  # ISO 639-1, None when no text of the document tells


@dataclass
class IngestResult:
    """The parsed document and its embedded chunks; `embedded` counts vectors computed, `reused` vectors reused."""

    document: ParsedDocument
    chunks: list[EmbeddedChunk]
    embedded: int = 0
    reused: int = 0


class IngestPipeline:
    """Turns uploaded bytes or a text snippet into embedded chunks; writing them anywhere is the caller's job."""

    def __init__(self, embedder: Embedder, target_tokens: int = 200, overlap_tokens: int = 30, *,
                 batch_size: int = 32, limits: IngestLimits = IngestLimits(), embed_units: bool = True) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.embedder = embedder
        self.target_tokens = target_tokens
        self.overlap_tokens = overlap_tokens
        self.batch_size = batch_size
        self.limits = limits
        # Sentence vectors roughly double the embedding work; the answer decision reads them. Off only for benches
        # that measure the chunk embedding alone.
        self.embed_units = embed_units

    def run(self, data: bytes, *, known_vectors: KnownVectors = _NO_VECTORS,
            progress: ProgressCallback | None = None, pause: Callable[[], None] | None = None) -> IngestResult:
        """Parse `data` (format detected from content), chunk it and embed the chunks not in `known_vectors`.

        `pause()` runs between pages and between chunks: a background caller waits there while more urgent work
        runs (parsing and chunking are pure Python, so they hold the interpreter while they work)."""
        report = progress or _ignore
        report("parse", 0, 1)
        document = self.parse(data, pause=pause)
        report("parse", 1, 1)
        return self._finish(document, known_vectors, report, pause)

    def run_text(self, text: str, title: str | None = None, *, known_vectors: KnownVectors = _NO_VECTORS,
                 progress: ProgressCallback | None = None, pause: Callable[[], None] | None = None) -> IngestResult:
        """The same pipeline for a text snippet; its title becomes the heading of every chunk."""
        report = progress or _ignore
        report("parse", 0, 1)
        CharacterBudget(self.limits.max_characters, "text").spend(len(text))
        body = normalise_whitespace(text)
        if not body:
            raise ParseError("the text is empty")
        title = normalise_whitespace(title or "") or None
        section = Section(text=body, page=None, heading_path=(title,) if title else ())
        document = ParsedDocument(sections=[section], page_count=None, format="text", title=title)
        report("parse", 1, 1)
        return self._finish(document, known_vectors, report, pause)

    def parse(self, data: bytes, *, pause: Callable[[], None] | None = None) -> ParsedDocument:
        """Step 1: bytes -> ParsedDocument; raises ParseError with a message for the uploader."""
        return parse_document(data, limits=self.limits, between_pages=pause)

    def chunk(self, document: ParsedDocument, *, pause: Callable[[], None] | None = None) -> list[Chunk]:
        """Step 2: sections -> chunks that fit the embedder's input limit; refused past `limits.max_chunks`."""
        self.embedder.warm_up()  # the tokenizer ships with the model
        pause = pause or _go_on
        chunks = []
        for chunk in iter_chunks(document.sections, count_tokens=self.embedder.count_tokens,
                                 max_tokens=self.embedder.max_tokens, target_tokens=self.target_tokens,
                                 overlap_tokens=self.overlap_tokens):
            if len(chunks) == self.limits.max_chunks:
                raise ParseError(f"the document splits into more than {self.limits.max_chunks:,} chunks, the limit "
                                 "(very many short sections?); split it into smaller files")
            chunks.append(chunk)
            pause()
        return chunks

    def embed(self, chunks: list[Chunk], *, known_vectors: Mapping[str, np.ndarray | KnownChunk] = _NO_VECTORS,
              progress: ProgressCallback | None = None, pause: Callable[[], None] | None = None) -> list[EmbeddedChunk]:
        """Step 3: vectors for `chunks` and their units, reusing `known_vectors` and computing each new text once.

        Language detection and sentence splitting are pure Python: `pause()` runs after each chunk of them."""
        report = progress or _ignore
        pause = pause or _go_on
        hashes = [content_hash(chunk.text) for chunk in chunks]
        languages = text_languages([chunk.text for chunk in chunks], between=pause)
        vectors: dict[str, np.ndarray] = {}
        units: dict[str, tuple[Unit, ...]] = {}
        missing: dict[str, str] = {}  # text hash -> text, insertion-ordered so batches follow the document
        for chunk, key, language in zip(chunks, hashes, languages):
            known = known_vectors.get(key)
            if isinstance(known, KnownChunk) and known.units is not None and known.unit_vectors is not None \
                    and _units_current(known.units, chunk.section):
                vectors[key] = self._checked(known.vector, key)
                units[key] = known.units
                for unit, vector in zip(known.units, known.unit_vectors):
                    vectors[_unit_key(unit)] = vector
                continue
            if known is not None:
                vectors[key] = self._checked(getattr(known, "vector", known), key)
            elif key not in missing:
                missing[key] = chunk.text
            if key not in units:
                units[key] = tuple(split_units(chunk.text, chunk.section, language)) if self.embed_units else ()
                for unit in units[key]:  # headings too: the answer decision compares them with the question
                    missing.setdefault(_unit_key(unit), unit.text)
                pause()

        # Batches of similar length waste no work on padding (encode() sorts only within the batch it is given).
        pending = sorted(missing.items(), key=lambda item: len(item[1]), reverse=True)
        batches = math.ceil(len(pending) / self.batch_size)
        report("embed", 0, batches)
        for number in range(batches):
            batch = pending[number * self.batch_size:(number + 1) * self.batch_size]
            computed = np.asarray(self.embedder.embed([text for _, text in batch]), dtype=np.float32)
            if computed.ndim != 2 or computed.shape[0] != len(batch):
                raise RuntimeError(f"embedder {self.embedder.name!r} returned {computed.shape} for {len(batch)} texts")
            for (key, _), vector in zip(batch, computed):
                vectors[key] = vector
            report("embed", number + 1, batches)

        return [
            EmbeddedChunk(text=chunk.text, page=chunk.page, section=chunk.section, ordinal=chunk.ordinal,
                          content_hash=key, vector=vectors[key], units=units[key],
                          unit_vectors=self._unit_matrix(units[key], vectors), language=language)
            for chunk, key, language in zip(chunks, hashes, languages)
        ]

    def _unit_matrix(self, units: tuple[Unit, ...], vectors: dict[str, np.ndarray]) -> np.ndarray:
        matrix = np.zeros((len(units), self.embedder.dimension), dtype=np.float32)
        for row, unit in enumerate(units):
            if _unit_key(unit) in vectors:
                matrix[row] = vectors[_unit_key(unit)]
        return matrix

    def _finish(self, document: ParsedDocument, known_vectors: KnownVectors,
                report: ProgressCallback, pause: Callable[[], None] | None) -> IngestResult:
        report("chunk", 0, 1)
        chunks = self.chunk(document, pause=pause)
        report("chunk", 1, 1)
        if callable(known_vectors):
            known_vectors = known_vectors([content_hash(chunk.text) for chunk in chunks])
        embedded = self.embed(chunks, known_vectors=known_vectors, progress=report, pause=pause)
        computed = len({chunk.content_hash for chunk in embedded} - known_vectors.keys())
        return IngestResult(document=document, chunks=embedded, embedded=computed, reused=len(embedded) - computed)

    def _checked(self, vector: np.ndarray, key: str) -> np.ndarray:
        # A stored vector from another model would poison the index; fail instead of mixing them.
        vector = np.asarray(vector, dtype=np.float32)
        if vector.shape != (self.embedder.dimension,):
            raise ValueError(
                f"known vector for {key[:12]} has shape {vector.shape}, but {self.embedder.name!r} "
                f"produces ({self.embedder.dimension},)"
            )
        return vector


def _units_current(units: tuple[Unit, ...], section: str | None) -> bool:
    """Units stored before a chunk's section became its first, embedded heading are split and embedded anew."""
    return not section or bool(units) and units[0].is_heading and units[0].text == section_heading(section)


def _unit_key(unit: Unit) -> str:
    return "unit:" + content_hash(unit.text)


def _ignore(step: str, done: int, total: int) -> None:
    pass


def _go_on() -> None:
    pass
