"""AccountIndexes: one vector + keyword index pair per account, persisted under data_dir/indexes/<account>/."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexes.base import IndexCorrupt, KeywordIndex, SearchHit, VectorIndex
from indexes.faiss_index import FaissVectorIndex
from indexes.files import write_atomically
from indexes.hybrid import HybridSearcher, SearchMode
from indexes.keyword import BM25KeywordIndex

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class IndexNeedsRebuild(IndexCorrupt):
    """The account's saved index is missing, damaged or stale; call `AccountIndexes.rebuild` from the database."""

    def __init__(self, account: int | str, reason: str) -> None:
        super().__init__(f"index of account {account} needs a rebuild: {reason}")
        self.account = account
        self.reason = reason


def _ids_digest(ids: Iterable[int]) -> str:
    return hashlib.sha256(np.array(sorted(ids), dtype=np.int64).tobytes()).hexdigest()


@dataclass
class _AccountEntry:
    vector: FaissVectorIndex
    keyword: BM25KeywordIndex
    searcher: HybridSearcher
    loaded: bool = False
    broken: str | None = None  # why the indexes cannot be used, once loading was tried
    lock: threading.Lock = field(default_factory=threading.Lock)


class AccountIndexes:
    """Per-account hybrid indexes, loaded lazily from disk; accounts never see each other's chunks.

    The database is the source of truth: when an account's files are missing, unreadable, written for
    another model or dimension, or the two indexes disagree, `needs_rebuild` says so and every other
    call raises `IndexNeedsRebuild` until `rebuild` is called with the account's chunks.
    """

    def __init__(self, data_dir: Path, dimension: int, model_name: str = "", hnsw_threshold: int = 50_000,
                 searcher_factory: Callable[[VectorIndex, KeywordIndex], HybridSearcher] = HybridSearcher) -> None:
        self.root = Path(data_dir) / "indexes"
        self.dimension = dimension
        self.model_name = model_name
        self.hnsw_threshold = hnsw_threshold
        self._searcher_factory = searcher_factory
        self._lock = threading.Lock()
        self._accounts: dict[str, _AccountEntry] = {}

    def directory(self, account: int | str) -> Path:
        """Where the account's index files live."""
        return self.root / self._key(account)

    @staticmethod
    def _key(account: int | str) -> str:
        key = str(account)
        if not _ACCOUNT_NAME.match(key):
            raise ValueError(f"account id {account!r} is not a safe directory name")
        return key

    def _new_entry(self) -> _AccountEntry:
        vector = FaissVectorIndex(self.dimension, hnsw_threshold=self.hnsw_threshold)
        keyword = BM25KeywordIndex()
        return _AccountEntry(vector, keyword, self._searcher_factory(vector, keyword))

    def _entry(self, account: int | str) -> _AccountEntry:
        key = self._key(account)
        with self._lock:
            entry = self._accounts.get(key)
            if entry is None:
                entry = self._accounts[key] = self._new_entry()
        if not entry.loaded:
            with entry.lock:
                if not entry.loaded:
                    entry.broken = self._load_into(entry, self.directory(account))
                    entry.loaded = True
                    if entry.broken:
                        logger.warning("index of account %s needs a rebuild: %s", key, entry.broken)
        return entry

    def _load_into(self, entry: _AccountEntry, directory: Path) -> str | None:
        """Load both indexes; the reason they cannot be used, or None when they can."""
        try:
            manifest = json.loads((directory / MANIFEST_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return "no saved index"
        except (OSError, ValueError) as error:
            return f"unreadable manifest: {error}"
        if manifest.get("format_version") != MANIFEST_VERSION:
            return f"manifest format {manifest.get('format_version')!r} is not {MANIFEST_VERSION}"
        if manifest.get("dimension") != self.dimension or manifest.get("model") != self.model_name:
            return (f"built for model {manifest.get('model')!r} dimension {manifest.get('dimension')}, "
                    f"now {self.model_name!r} dimension {self.dimension}")
        try:
            entry.vector.load(directory)
            entry.keyword.load(directory)
        except IndexCorrupt as error:
            return str(error)
        vector_ids, keyword_ids = entry.vector.ids(), entry.keyword.ids()
        # The files are replaced one by one; a crash between them leaves id sets that disagree.
        if vector_ids != keyword_ids or _ids_digest(vector_ids) != manifest.get("ids_sha256"):
            return "vector and keyword files are from different saves"
        entry.keyword.refresh()  # build BM25 now rather than in the first search
        return None

    def _usable(self, account: int | str) -> _AccountEntry:
        entry = self._entry(account)
        if entry.broken:
            raise IndexNeedsRebuild(account, entry.broken)
        return entry

    def needs_rebuild(self, account: int | str) -> bool:
        """True when the account's index could not be loaded and must be rebuilt from the database."""
        return self._entry(account).broken is not None

    def count(self, account: int | str) -> int:
        """Number of chunks indexed for the account."""
        return len(self._usable(account).vector)

    def add(self, account: int | str, ids: Sequence[int], texts: Sequence[str], vectors: np.ndarray) -> None:
        """Index (or re-index) chunks of one account; call `save` to persist."""
        if not len(ids) == len(texts) == len(vectors):
            raise ValueError(f"{len(ids)} ids, {len(texts)} texts and {len(vectors)} vectors")
        entry = self._usable(account)
        entry.vector.add(ids, vectors)
        entry.keyword.add(ids, texts)

    def remove(self, account: int | str, ids: Sequence[int]) -> int:
        """Take chunks out of the account's results at once; returns how many were indexed."""
        entry = self._usable(account)
        removed = entry.vector.remove(ids)
        entry.keyword.remove(ids)
        return removed

    def search(self, account: int | str, query_vector: np.ndarray | None, query_text: str | None, k: int,
               mode: SearchMode = "hybrid", allowed_ids: set[int] | None = None) -> list[SearchHit]:
        """The account's `k` best chunks for the query (see HybridSearcher.search)."""
        return self._usable(account).searcher.search(query_vector, query_text, k, mode, allowed_ids)

    def save(self, account: int | str) -> None:
        """Persist the account's indexes; the manifest goes last, so a crash mid-save is detected on load."""
        entry = self._usable(account)
        directory = self.directory(account)
        with entry.lock:
            entry.vector.save(directory)
            entry.keyword.save(directory)
            manifest = {"format_version": MANIFEST_VERSION, "model": self.model_name, "dimension": self.dimension,
                        "count": len(entry.vector), "ids_sha256": _ids_digest(entry.vector.ids())}
            data = json.dumps(manifest, indent=1).encode("utf-8")
            write_atomically(directory / MANIFEST_NAME, lambda handle: handle.write(data))

    def rebuild(self, account: int | str, items: Iterable[tuple[int, str, np.ndarray]]) -> int:
        """Replace the account's indexes with `items` (chunk id, text, vector), save them, return the count.

        Searches keep using the old indexes until the new ones are complete; the caller must not add or
        remove chunks of this account meanwhile (those changes would be lost with the old indexes).
        """
        ids: list[int] = []
        texts: list[str] = []
        vectors: list[np.ndarray] = []
        for chunk_id, text, vector in items:
            ids.append(int(chunk_id))
            texts.append(text)
            vectors.append(np.asarray(vector, dtype=np.float32).reshape(-1))
        entry = self._new_entry()
        # Whole-corpus rebuilds pick flat or HNSW once instead of converting halfway through.
        entry.vector.rebuild(ids, np.vstack(vectors) if vectors else np.empty((0, self.dimension), np.float32))
        entry.keyword.rebuild(ids, texts)
        entry.keyword.refresh()
        entry.loaded = True
        key = self._key(account)
        with self._lock:
            self._accounts[key] = entry
        self.save(account)
        logger.info("rebuilt index of account %s with %d chunks", key, len(ids))
        return len(ids)

    def drop(self, account: int | str) -> None:
        """Forget the account: unload it and delete its files (e.g. when the account is deleted)."""
        key = self._key(account)
        with self._lock:
            self._accounts.pop(key, None)
        shutil.rmtree(self.directory(account), ignore_errors=True)

    def unload(self, account: int | str) -> None:
        """Free the account's memory without saving; the next call loads it from disk again."""
        with self._lock:
            self._accounts.pop(self._key(account), None)
