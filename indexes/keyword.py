"""BM25KeywordIndex: bm25s (Lucene BM25) over English-stemmed chunk texts, rebuilt lazily after changes."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from indexes.base import IndexCorrupt
from indexes.files import write_atomically
from indexes.ids import IdPositions
from indexes.ranking import top_k

FILE_NAME = "keyword.json.gz"
FORMAT_VERSION = 1


class BM25KeywordIndex:
    """Lucene BM25 (k1 1.5, b 0.75) with English stopwords and Snowball stemming, keyed by chunk id.

    bm25s cannot add to a built index, so each chunk's token ids are kept and the index is rebuilt on
    the first search after a change: about 0.1 s at 5k chunks, 1-2 s at 100k (see bench/README.md).
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, language: str = "english") -> None:
        self.k1 = k1
        self.b = b
        self.language = language
        self._lock = threading.Lock()
        self._texts: dict[int, str] = {}
        self._token_ids: dict[int, list[int]] = {}
        # Only grows until the next rebuild()/load(); unused entries have no documents and score nothing.
        self._vocabulary: dict[str, int] = {}
        self._retriever: bm25s.BM25 | None = None
        self._row_ids = np.empty(0, dtype=np.int64)
        self._rows: IdPositions = IdPositions(self._row_ids, self._row_ids)
        self._idf = np.empty(0, dtype=np.float64)
        self._stale = False
        self._last_scores: tuple[str, np.ndarray, float] | None = None

    def __len__(self) -> int:
        return len(self._texts)

    def ids(self) -> set[int]:
        """Every id currently indexed."""
        with self._lock:
            return set(self._texts)

    def text(self, chunk_id: int) -> str | None:
        """The stored text of `chunk_id`, if indexed."""
        return self._texts.get(chunk_id)

    def _tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        if not texts:
            return []
        # A fresh stemmer per call: PyStemmer objects are not thread-safe and cost microseconds to make.
        return bm25s.tokenize(list(texts), stopwords="en", stemmer=Stemmer.Stemmer(self.language),
                              return_ids=False, show_progress=False)

    def _token_ids_of(self, words: list[str]) -> list[int]:
        vocabulary = self._vocabulary
        return [vocabulary.setdefault(word, len(vocabulary)) for word in words]

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Insert or replace the texts stored under `ids`; searchable from the next search on."""
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        tokens = self._tokenize(texts)  # the slow part, kept outside the lock
        with self._lock:
            for chunk_id, text, words in zip(ids, texts, tokens):
                self._texts[int(chunk_id)] = text
                self._token_ids[int(chunk_id)] = self._token_ids_of(words)
            self._mark_changed()

    def remove(self, ids: Sequence[int]) -> int:
        """Delete `ids` and return how many were present; they leave search results immediately."""
        with self._lock:
            removed = 0
            for chunk_id in set(ids):
                if self._texts.pop(int(chunk_id), None) is not None:
                    del self._token_ids[int(chunk_id)]
                    removed += 1
            if removed:
                self._mark_changed()
            return removed

    def _mark_changed(self) -> None:
        self._stale = True
        self._last_scores = None

    def _ensure_built(self) -> None:
        if not self._stale:
            return
        self._row_ids = np.fromiter(self._token_ids, dtype=np.int64, count=len(self._token_ids))
        self._rows = IdPositions(self._row_ids, np.arange(len(self._row_ids)))
        self._retriever = None
        if len(self._row_ids):
            retriever = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
            # Token ids in, so bm25s skips rebuilding the vocabulary from strings (half the time at 100k).
            retriever.index((list(self._token_ids.values()), dict(self._vocabulary)), create_empty_token=False,
                            show_progress=False)
            self._retriever = retriever
            # Lucene idf from each token's document frequency (its column length in the score matrix);
            # tokens no document uses any more get 0, so they cannot inflate max_score.
            frequency = np.diff(retriever.scores["indptr"]).astype(np.float64)
            idf = np.log1p((len(self._row_ids) - frequency + 0.5) / (frequency + 0.5))
            self._idf = np.where(frequency > 0, idf, 0.0)
        self._stale = False

    def refresh(self) -> None:
        """Rebuild now if anything changed, so a bulk update pays the rebuild instead of the next search."""
        with self._lock:
            self._ensure_built()

    def _query_scores(self, query: str) -> tuple[np.ndarray, float] | None:
        # Hybrid search asks for the same query twice (top hits, then candidate scores): keep the last one.
        if self._last_scores is not None and self._last_scores[0] == query:
            return self._last_scores[1], self._last_scores[2]
        self._ensure_built()
        if self._retriever is None:
            return None
        token_ids = [self._vocabulary[word] for word in self._tokenize([query])[0] if word in self._vocabulary]
        if token_ids:
            scores = np.asarray(self._retriever.get_scores_from_ids(token_ids), dtype=np.float32)
        else:
            scores = np.zeros(len(self._row_ids), dtype=np.float32)
        # Lucene BM25 gives a term at most its idf (as tf grows), so this sum bounds every document's score.
        max_score = float(self._idf[token_ids].sum()) if token_ids else 0.0
        self._last_scores = (query, scores, max_score)
        return scores, max_score

    def max_score(self, query: str) -> float:
        """The BM25 score a chunk matching every query term infinitely often would get (0.0 if none is known)."""
        with self._lock:
            result = self._query_scores(query)
            return 0.0 if result is None else result[1]

    def search(self, query: str, k: int, allowed_ids: set[int] | None = None) -> list[tuple[int, float]]:
        """Up to `k` ids sharing a term with `query`, best BM25 score first, optionally only `allowed_ids`."""
        with self._lock:
            result = self._query_scores(query)
            if result is None or k <= 0:
                return []
            scores = result[0]
            rows = np.flatnonzero(scores > 0) if allowed_ids is None else self._rows.positions_of(allowed_ids)
            rows = rows[scores[rows] > 0]
            return top_k(self._row_ids[rows], scores[rows], k)

    def scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """BM25 scores of `query` for `ids` (0.0 when no term matches; unknown ids left out)."""
        with self._lock:
            result = self._query_scores(query)
            if result is None:
                return {}
            rows = self._rows.positions_of(list(ids))
            return dict(zip(self._row_ids[rows].tolist(), result[0][rows].tolist()))

    def rebuild(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        """Replace the whole contents with `ids` and `texts` (and start a fresh vocabulary)."""
        tokens = self._tokenize(texts)
        with self._lock:
            self._vocabulary = {}
            self._texts = {int(i): text for i, text in zip(ids, texts)}
            self._token_ids = {int(i): self._token_ids_of(words) for i, words in zip(ids, tokens)}
            self._mark_changed()

    def save(self, directory: Path) -> None:
        """Write `directory/keyword.json.gz` atomically; the gzip CRC lets load() detect damage."""
        with self._lock:
            payload = {"format_version": FORMAT_VERSION, "k1": self.k1, "b": self.b,
                       "items": [[chunk_id, text] for chunk_id, text in self._texts.items()]}
        data = gzip.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"), compresslevel=5)
        write_atomically(Path(directory) / FILE_NAME, lambda handle: handle.write(data))

    def load(self, directory: Path) -> None:
        """Replace the contents with `directory/keyword.json.gz`; raises IndexCorrupt if missing or damaged."""
        path = Path(directory) / FILE_NAME
        try:
            payload = json.loads(gzip.decompress(path.read_bytes()).decode("utf-8"))
            if payload["format_version"] != FORMAT_VERSION:
                raise ValueError(f"format version {payload['format_version']} is not {FORMAT_VERSION}")
            ids = [int(chunk_id) for chunk_id, _ in payload["items"]]
            texts = [str(text) for _, text in payload["items"]]
        except FileNotFoundError as error:
            raise IndexCorrupt(f"keyword index file {path} is missing") from error
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise IndexCorrupt(f"keyword index file {path} is unreadable: {error}") from error
        self.rebuild(ids, texts)
