"""Per-account FAISS + BM25 indexes, derived from the chunks table and kept in step with it.

The database is the source of truth. Each indexed change bumps the account's version in the same transaction;
index files carry the version they hold, so a process whose copy (in memory or on disk) is stale, missing or
corrupt rebuilds it from the database instead of serving wrong answers.
"""

import json
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import event, update
from sqlmodel import Session

from app.common import utcnow
from app.kb.models import Chunk, IndexState
from app.kb.repository import ChunkRepository
from indexes.base import IndexCorrupt, SearchHit
from ingest.embedders import Embedder
from indexes.faiss_index import FaissVectorIndex
from indexes.files import write_atomically
from indexes.hybrid import HybridSearcher
from indexes.keyword import BM25KeywordIndex

logger = logging.getLogger("replybase.kb")
VERSION_FILE = "version.json"


@dataclass
class AccountIndex:
    vector: FaissVectorIndex
    keyword: BM25KeywordIndex
    version: int
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def searcher(self) -> HybridSearcher:
        return HybridSearcher(self.vector, self.keyword)


class KnowledgeIndexes:
    """The indexes of every account, loaded lazily; one account's index never answers for another."""

    def __init__(self, data_dir: Path, embedder: Embedder, hnsw_threshold: int = 50_000) -> None:
        self.root = data_dir / "indexes"
        self.embedder = embedder  # read for its dimension only when an index is first needed
        self.hnsw_threshold = hnsw_threshold
        self._accounts: dict[str, AccountIndex] = {}
        self._lock = threading.Lock()

    def _directory(self, account_id: str) -> Path:
        return self.root / account_id

    def _empty(self, version: int) -> AccountIndex:
        return AccountIndex(FaissVectorIndex(self.embedder.dimension, hnsw_threshold=self.hnsw_threshold),
                            BM25KeywordIndex(), version)

    @staticmethod
    def _db_version(session: Session, account_id: str) -> int:
        state = session.get(IndexState, account_id)
        return state.version if state else 0

    def _load(self, account_id: str, version: int) -> AccountIndex | None:
        directory = self._directory(account_id)
        try:
            stamped = json.loads((directory / VERSION_FILE).read_text())["version"]
        except (OSError, ValueError, KeyError):
            return None
        if stamped != version:
            return None
        index = self._empty(version)
        try:
            index.vector.load(directory)
            index.keyword.load(directory)
        except IndexCorrupt as exc:
            logger.warning("index files of account %s are unusable (%s); rebuilding", account_id, exc)
            return None
        return index

    def _save(self, account_id: str, index: AccountIndex) -> None:
        directory = self._directory(account_id)
        directory.mkdir(parents=True, exist_ok=True)
        with index.lock:
            index.vector.save(directory)
            index.keyword.save(directory)
            payload = json.dumps({"version": index.version}).encode()
            write_atomically(directory / VERSION_FILE, lambda handle: handle.write(payload))

    def _build(self, session: Session, account_id: str, version: int) -> AccountIndex:
        index = self._empty(version)
        ids, texts, vectors = [], [], []
        for chunk_id, text, embedding in ChunkRepository(session, account_id).indexable():
            ids.append(chunk_id)
            texts.append(text)
            vectors.append(np.frombuffer(embedding, dtype=np.float32))
        if ids:
            index.vector.add(ids, np.vstack(vectors))
            index.keyword.add(ids, texts)
        self._save(account_id, index)
        logger.info("rebuilt the index of account %s from %d chunks", account_id, len(ids))
        return index

    def current(self, session: Session, account_id: str) -> AccountIndex:
        """The account's index at the database's version: cached, else loaded from files, else rebuilt."""
        version = self._db_version(session, account_id)
        with self._lock:
            index = self._accounts.get(account_id)
            if index is None or index.version != version:
                index = self._load(account_id, version) or self._build(session, account_id, version)
                self._accounts[account_id] = index
            return index

    def _bump_version(self, session: Session, account_id: str) -> int:
        bumped = session.execute(update(IndexState).where(IndexState.account_id == account_id)
                                 .values(version=IndexState.version + 1, updated_at=utcnow()))
        if bumped.rowcount == 0:
            session.add(IndexState(account_id=account_id, version=1))
        session.flush()
        session.expire_all()
        return self._db_version(session, account_id)

    def apply(self, session: Session, account_id: str, *, add: Iterable[Chunk] = (), remove: Sequence[int] = ()) -> None:
        """Apply chunk changes in the caller's transaction; files are written once it commits."""
        add = list(add)
        index = self.current(session, account_id)
        version = self._bump_version(session, account_id)
        with index.lock:
            # Removed first: a chunk replaced in place (edited text) is removed and added back.
            ids_to_remove = list(remove) + [chunk.id for chunk in add]
            if ids_to_remove:
                index.vector.remove(ids_to_remove)
                index.keyword.remove(ids_to_remove)
            if add:
                index.vector.add([c.id for c in add],
                                 np.vstack([np.frombuffer(c.embedding, dtype=np.float32) for c in add]))
                index.keyword.add([c.id for c in add], [c.text for c in add])
            index.version = version
        self._when_transaction_ends(session, account_id, index)

    def _when_transaction_ends(self, session: Session, account_id: str, index: AccountIndex) -> None:
        def committed(_session):
            self._save(account_id, index)

        def rolled_back(_session, _previous=None):
            # The in-memory copy has changes the database refused: drop it, the next use rebuilds.
            with self._lock:
                if self._accounts.get(account_id) is index:
                    del self._accounts[account_id]

        event.listen(session, "after_commit", committed, once=True)
        event.listen(session, "after_soft_rollback", rolled_back, once=True)

    def search(self, session: Session, account_id: str, *, query_vector: np.ndarray | None, query_text: str,
               k: int, mode: str, allowed_ids: set[int] | None) -> list[SearchHit]:
        index = self.current(session, account_id)
        with index.lock:
            return index.searcher.search(query_vector, query_text, k, mode=mode, allowed_ids=allowed_ids)

    def rebuild(self, session: Session, account_id: str) -> int:
        """Rebuild the account's index from the database; returns how many chunks it holds."""
        version = self._db_version(session, account_id)
        with self._lock:
            index = self._build(session, account_id, version)
            self._accounts[account_id] = index
        return len(index.vector)

    def forget(self, account_id: str) -> None:
        """Drop the in-memory copy (tests use it to simulate a restart)."""
        with self._lock:
            self._accounts.pop(account_id, None)
