"""BM25KeywordIndex: Lucene BM25 over chunk texts stemmed in each chunk's language, kept in segments so edits never
rebuild it."""

from __future__ import annotations

import gzip
import json
import logging
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from indexes.base import IndexCorrupt
from indexes.files import write_atomically
from indexes.keyword_segments import DocTerms, Segment, SegmentedBM25, Snapshot, doc_terms, merge
from indexes.ranking import top_k
from ingest.language import STEMMERS, detect_language

logger = logging.getLogger(__name__)

FILE_NAME = "keyword.json.gz"
FORMAT_VERSION = 2  # 2: each item carries its language
DEFAULT_LANGUAGE = "en"  # of a text whose language is not known (stored before languages were, or undetectable)
# Merge policy, from bench/keyword_edits.py at 100k chunks (2026-12-03, loaded box): a search visits every
# segment, p50 1.3 ms with none beside the base, 3.6 ms with 8 small ones, 6.9 ms with 16, so a merge starts past
# MAX_SEGMENTS; a full write buffer of FREEZE_AT documents added 0.2 ms. Tombstones past MAX_DEAD_FRACTION of the
# rows are merged away, as in the vector index; a merge of 100k chunks took 1.9 s, on a background thread.
FREEZE_AT = 2048
MAX_SEGMENTS = 8
MAX_DEAD_FRACTION = 0.25


class BM25KeywordIndex:
    """Lucene BM25 (k1 1.5, b 0.75) with stopwords and Snowball stemming of each text's language, keyed by chunk id.

    Each text is tokenised in its own language (ISO 639-1, one of ingest.language.SUPPORTED; English when not
    given). A query is tokenised in the language of the indexed texts; when they are in several, in the query's
    language among them, or in each of them when lingua cannot tell. Terms share one vocabulary, so a name or a
    number that every stemmer leaves alone matches across languages.

    Documents live in segments (keyword_segments.py): an add appends to a write buffer, a remove leaves a
    tombstone, and the BM25 statistics are kept global, so every search scores exactly as a fresh build of
    the same texts would. When segments or tombstones pile up they are merged into one, on a background
    thread (or in the writer with `background_merge=False`); edits made meanwhile are replayed onto the
    merged segment before it is swapped in.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, *,
                 freeze_at: int = FREEZE_AT, max_segments: int = MAX_SEGMENTS,
                 max_dead_fraction: float = MAX_DEAD_FRACTION, background_merge: bool = True) -> None:
        self.k1 = k1
        self.b = b
        self.freeze_at = freeze_at
        self.max_segments = max_segments
        self.max_dead_fraction = max_dead_fraction
        self.background_merge = background_merge
        self._lock = threading.Lock()  # guards the state; held only for short steps
        self._write_lock = threading.Lock()  # serialises writers, which grow the vocabulary outside _lock
        self._texts: dict[int, str] = {}
        self._languages: dict[int, str] = {}
        self._language_counts: Counter[str] = Counter()  # live texts per language
        # Only grows until the next rebuild()/load(); unused entries have no documents and score nothing.
        self._vocabulary: dict[str, int] = {}
        self._state = SegmentedBM25(k1, b, freeze_at)
        # Edits made while a merge runs, replayed onto its result; None when no merge runs.
        self._pending: list[tuple[str, tuple]] | None = None
        # Bumped by rebuild() and load(), so a merge started before them is discarded.
        self._generation = 0
        self._merger: threading.Thread | None = None
        self._last_scores: tuple[str, np.ndarray, np.ndarray, float] | None = None

    def __len__(self) -> int:
        return self._state.live

    def ids(self) -> set[int]:
        """Every id currently indexed."""
        with self._lock:
            return set(self._texts)

    def text(self, chunk_id: int) -> str | None:
        """The stored text of `chunk_id`, if indexed."""
        return self._texts.get(chunk_id)

    @staticmethod
    def _tokenize(texts: Sequence[str], language: str) -> list[list[str]]:
        if not texts:
            return []
        # A fresh stemmer per call: PyStemmer objects are not thread-safe and cost microseconds to make. bm25s's
        # "en" is Lucene's 33 words (NLTK's longer list lowered StackFAQ below target, bench/README.md); the other
        # codes are NLTK's lists. `language` is always a key of STEMMERS (_latest()).
        return bm25s.tokenize(list(texts), stopwords=language, stemmer=Stemmer.Stemmer(STEMMERS[language]),
                              return_ids=False, show_progress=False)

    def _doc_terms(self, vocabulary: dict[str, int], texts: Sequence[str], languages: Sequence[str]) -> DocTerms:
        tokens: list[list[str]] = [[] for _ in texts]
        for language in dict.fromkeys(languages):  # in order, so a rebuild numbers terms the same way
            positions = [i for i, text_language in enumerate(languages) if text_language == language]
            for position, words in zip(positions, self._tokenize([texts[i] for i in positions], language)):
                tokens[position] = words
        return doc_terms([[vocabulary.setdefault(word, len(vocabulary)) for word in words] for words in tokens])

    @staticmethod
    def _latest(ids: Sequence[int], texts: Sequence[str], languages: Sequence[str | None] | None
                ) -> dict[int, tuple[str, str]]:
        """Chunk id -> (text, language); a repeated id keeps its last text."""
        if len(ids) != len(texts) or (languages is not None and len(languages) != len(texts)):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts"
                             + (f" and {len(languages)} languages" if languages is not None else ""))
        languages = languages if languages is not None else [None] * len(texts)
        return {int(chunk_id): (text, language if language in STEMMERS else DEFAULT_LANGUAGE)
                for chunk_id, text, language in zip(ids, texts, languages)}

    def _forget_languages(self, ids) -> None:
        """Stop counting the languages of `ids`; the caller holds the lock."""
        for chunk_id in ids:
            language = self._languages.pop(chunk_id, None)
            if language is not None:
                self._language_counts[language] -= 1
        self._language_counts = +self._language_counts  # drop the languages no text is in any more

    def add(self, ids: Sequence[int], texts: Sequence[str], languages: Sequence[str | None] | None = None) -> None:
        """Insert or replace the texts stored under `ids`, each in its language (ISO 639-1; English when None);
        searchable from the next search on."""
        latest = self._latest(ids, texts, languages)
        if not latest:
            return
        chunk_ids = np.fromiter(latest, dtype=np.int64, count=len(latest))
        with self._write_lock:
            # Tokenising, counting and sorting a big batch happen outside _lock, so searches go on meanwhile.
            docs = self._doc_terms(self._vocabulary, [text for text, _ in latest.values()],
                                   [language for _, language in latest.values()])
            segment = Segment.build(docs) if len(docs) >= self.freeze_at else None
            with self._lock:
                self._state.add(chunk_ids, docs, segment)
                self._forget_languages(latest)
                for chunk_id, (text, language) in latest.items():
                    self._texts[chunk_id] = text
                    self._languages[chunk_id] = language
                    self._language_counts[language] += 1
                if self._pending is not None:
                    self._pending.append(("add", (chunk_ids, docs)))
                self._last_scores = None
        self._merge_if_needed()

    def remove(self, ids: Sequence[int]) -> int:
        """Delete `ids` and return how many were present; they leave search results immediately."""
        ids = [int(chunk_id) for chunk_id in set(ids)]
        with self._lock:
            removed = self._state.remove(ids)
            for chunk_id in ids:
                self._texts.pop(chunk_id, None)
            self._forget_languages(ids)
            if removed:
                if self._pending is not None:
                    self._pending.append(("remove", (ids,)))
                self._last_scores = None
        if removed:
            self._merge_if_needed()
        return removed

    def _merge_if_needed(self, force: bool = False) -> None:
        with self._lock:
            state = self._state
            if self._pending is not None or not (force or state.needs_merge(self.max_segments,
                                                                            self.max_dead_fraction)):
                return
            snapshot = state.snapshot(len(self._vocabulary))
            self._pending = []
            generation = self._generation
            if self.background_merge and not force:
                self._merger = threading.Thread(target=self._merge, args=(snapshot, generation),
                                                name="keyword-merge", daemon=True)
                self._merger.start()
                return
        self._merge(snapshot, generation)

    def _merge(self, snapshot: Snapshot, generation: int) -> None:
        try:
            merged = merge(snapshot, self.k1, self.b, self.freeze_at)
        except BaseException:
            with self._lock:
                self._pending = None
            logger.exception("keyword index merge failed; the segments stay as they are")
            raise
        with self._lock:
            pending, self._pending = self._pending, None
            if generation != self._generation:
                return
            for operation, arguments in pending:
                getattr(merged, operation)(*arguments)
            self._state = merged
            self._last_scores = None

    def merge(self) -> None:
        """Merge every segment into one now, in this thread (after any background merge has finished)."""
        self.refresh()
        self._merge_if_needed(force=True)

    def refresh(self) -> None:
        """Wait for a background merge, if one runs; searches never need anything rebuilt first."""
        merger = self._merger
        if merger is not None:
            merger.join()

    def _query_scores(self, query: str) -> tuple[np.ndarray, np.ndarray, float]:
        """(row ids, scores, max score) of `query`; the caller holds the lock."""
        # Hybrid search asks for the same query twice (top hits, then candidate scores): keep the last one.
        if self._last_scores is not None and self._last_scores[0] == query:
            return self._last_scores[1:]
        vocabulary = self._vocabulary
        words = self._query_words(query)
        token_ids = [vocabulary[word] for word in words if word in vocabulary]
        scores, max_score = self._state.scores(token_ids, unseen=len(words) - len(token_ids))
        # Lucene BM25 gives a term at most its idf (as tf grows), so the idf sum bounds every document's score.
        self._last_scores = (query, self._state.row_ids[:len(scores)], scores, max_score)
        return self._last_scores[1:]

    def _query_words(self, query: str) -> list[str]:
        """`query`'s terms in the indexed texts' language, or in the query's own among several (each of them when
        it cannot be told); the caller holds the lock."""
        present = tuple(sorted(self._language_counts)) or (DEFAULT_LANGUAGE,)
        if len(present) > 1:
            asked_in = detect_language(query, candidates=present)
            present = (asked_in,) if asked_in else present
        if len(present) == 1:
            return self._tokenize([query], present[0])[0]
        return list(dict.fromkeys(word for language in present for word in self._tokenize([query], language)[0]))

    def max_score(self, query: str) -> float:
        """The BM25 score a chunk matching every query term infinitely often would get, a term no chunk has counting
        with its idf (0.0 for an empty index or a query of stopwords)."""
        with self._lock:
            return self._query_scores(query)[2]

    def search(self, query: str, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        """Up to `k` ids sharing a term with `query`, best BM25 score first, optionally only `allowed_ids`."""
        if k <= 0:
            return []
        with self._lock:
            row_ids, scores, _ = self._query_scores(query)
            rows = np.flatnonzero(scores > 0)
            if allowed_ids is not None:
                allowed = np.fromiter(allowed_ids, dtype=np.int64, count=len(allowed_ids))
                rows = rows[np.isin(row_ids[rows], allowed)]
            return top_k(row_ids[rows], scores[rows], k)

    def scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """BM25 scores of `query` for `ids` (0.0 when no term matches; unknown ids left out)."""
        with self._lock:
            _, scores, _ = self._query_scores(query)
            row_of = self._state.row_of
            return {int(chunk_id): float(scores[row_of[int(chunk_id)]]) for chunk_id in ids
                    if int(chunk_id) in row_of}

    def rebuild(self, ids: Sequence[int], texts: Sequence[str], languages: Sequence[str | None] | None = None) -> None:
        """Replace the whole contents with `ids` and `texts` in `languages` (and start a fresh vocabulary)."""
        latest = self._latest(ids, texts, languages)
        vocabulary: dict[str, int] = {}
        docs = self._doc_terms(vocabulary, [text for text, _ in latest.values()],
                               [language for _, language in latest.values()])
        state = SegmentedBM25(self.k1, self.b, self.freeze_at)
        if latest:
            state.add(np.fromiter(latest, dtype=np.int64, count=len(latest)), docs, Segment.build(docs))
        with self._write_lock, self._lock:
            self._vocabulary = vocabulary
            self._texts = {chunk_id: text for chunk_id, (text, _) in latest.items()}
            self._languages = {chunk_id: language for chunk_id, (_, language) in latest.items()}
            self._language_counts = Counter(self._languages.values())
            self._state = state
            self._generation += 1
            self._last_scores = None

    def save(self, directory: Path) -> None:
        """Write `directory/keyword.json.gz` atomically; the gzip CRC lets load() detect damage."""
        with self._lock:
            payload = {"format_version": FORMAT_VERSION, "k1": self.k1, "b": self.b,
                       "items": [[chunk_id, text, self._languages[chunk_id]] for chunk_id, text in self._texts.items()]}
        data = gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), compresslevel=5)
        write_atomically(Path(directory) / FILE_NAME, lambda handle: handle.write(data))

    def load(self, directory: Path) -> None:
        """Replace the contents with `directory/keyword.json.gz`; raises IndexCorrupt if missing or damaged."""
        path = Path(directory) / FILE_NAME
        try:
            payload = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
            if payload["format_version"] != FORMAT_VERSION:
                raise ValueError(f"format version {payload['format_version']} is not {FORMAT_VERSION}")
            ids = [int(chunk_id) for chunk_id, _, _ in payload["items"]]
            texts = [str(text) for _, text, _ in payload["items"]]
            languages = [str(language) for _, _, language in payload["items"]]
        except FileNotFoundError as error:
            raise IndexCorrupt(f"keyword index file {path} is missing") from error
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise IndexCorrupt(f"keyword index file {path} is unreadable: {error}") from error
        self.rebuild(ids, texts, languages)
