"""Per-account FAISS + BM25 indexes, derived from the chunks table and kept in step with it by every process.

The database is the source of truth. Each indexed change bumps the account's version in the same transaction.
Every search reads that version (one primary-key read): a process whose copy is older, because another API or a
worker changed the knowledge base, catches up by comparing its (chunk id, content hash) list with the database's
and loading only the chunks that differ, so one upload elsewhere costs an id scan and that upload's chunks, not
a rebuild. Index files are a restart cache (app/kb/index_snapshots.py); any snapshot, however old, is caught up
the same way, so processes on separate machines need no shared disk.
"""

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.common import utcnow
from app.kb.index_snapshots import load_newest, save_snapshot
from app.kb.models import Chunk, IndexState
from app.kb.repository import ChunkRepository
from indexes.base import SearchHit
from indexes.faiss_index import FaissVectorIndex
from indexes.hybrid import HybridSearcher
from indexes.keyword import BM25KeywordIndex
from ingest.embedders import Embedder

logger = logging.getLogger("replybase.kb")
# Version of a copy whose contents are unknown (a change it holds was rolled back): the next use catches up.
UNKNOWN = -1
PENDING = "kb_indexes_pending"  # session.info key: copies changed in the session's open transaction


class IndexEntry(NamedTuple):
    """What the indexes need of a chunk, without the ORM object."""

    id: int
    text: str
    embedding: bytes
    content_hash: str
    language: str | None


@dataclass
class AccountIndex:
    vector: FaissVectorIndex
    keyword: BM25KeywordIndex
    version: int
    # What the copy holds: chunk id -> content hash (a corrected chunk keeps its id, not its hash).
    hashes: dict[int, str] = field(default_factory=dict)
    # Changes applied for transactions not yet ended; until then the copy may be ahead of the database.
    uncommitted: int = 0
    # Guards searches against changes; changes themselves are serialised by the account's lock.
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def searcher(self) -> HybridSearcher:
        return HybridSearcher(self.vector, self.keyword)

    def replace(self, remove: Iterable[int], rows: Iterable[tuple[int, str, bytes, str, str | None]]) -> None:
        """Take out `remove`, then put in (id, text, embedding, content hash, language) rows; the caller holds
        `lock`."""
        rows = list(rows)
        remove = set(remove) | {row[0] for row in rows}
        if remove:
            self.vector.remove(list(remove))
            self.keyword.remove(list(remove))
            for chunk_id in remove:
                self.hashes.pop(chunk_id, None)
        if rows:
            ids = [row[0] for row in rows]
            self.vector.add(ids, np.vstack([np.frombuffer(row[2], dtype=np.float32) for row in rows]))
            self.keyword.add(ids, [row[1] for row in rows], [row[4] for row in rows])
            self.hashes.update((row[0], row[3]) for row in rows)


class KnowledgeIndexes:
    """The indexes of every account, loaded lazily; one account's index never answers for another."""

    def __init__(self, data_dir: Path, embedder: Embedder, hnsw_threshold: int = 50_000) -> None:
        self.root = data_dir / "indexes"
        self.embedder = embedder  # read for its dimension only when an index is first needed
        self.hnsw_threshold = hnsw_threshold
        self._accounts: dict[str, AccountIndex] = {}
        self._account_locks: dict[str, threading.RLock] = {}
        self._lock = threading.Lock()  # guards the two dicts only

    def _account_lock(self, account_id: str) -> threading.RLock:
        # Per account, so one account catching up never holds up another's searches.
        with self._lock:
            return self._account_locks.setdefault(account_id, threading.RLock())

    def _empty(self, version: int = UNKNOWN) -> AccountIndex:
        return AccountIndex(FaissVectorIndex(self.embedder.dimension, hnsw_threshold=self.hnsw_threshold),
                            BM25KeywordIndex(), version)

    @staticmethod
    def _db_version(session: Session, account_id: str) -> int:
        # A query, not session.get: the identity map would keep answering with the version it first read.
        version = session.execute(select(IndexState.version).where(IndexState.account_id == account_id)).scalar()
        return version or 0

    def _cached_or_loaded(self, account_id: str) -> tuple[AccountIndex, bool]:
        """The in-memory copy, else the newest snapshot on disk, else an empty copy; True when not cached."""
        index = self._accounts.get(account_id)
        if index is not None:
            return index, False
        index = self._empty()
        loaded = load_newest(self.root / account_id, index.vector, index.keyword)
        if loaded is None:
            index = self._empty()  # a failed load may have left part of a snapshot in the first one
        else:
            index.version, index.hashes = loaded
        self._accounts[account_id] = index
        return index, True

    def _catch_up(self, session: Session, account_id: str, index: AccountIndex, version: int) -> None:
        """Make the copy hold what the database holds (as this session sees it), and label it `version`."""
        chunks = ChunkRepository(session, account_id)
        wanted = chunks.indexable_hashes()
        outdated = [chunk_id for chunk_id, digest in index.hashes.items() if wanted.get(chunk_id) != digest]
        missing = [chunk_id for chunk_id, digest in wanted.items() if index.hashes.get(chunk_id) != digest]
        # Reading everything beats a long IN list when most of it is needed (a first build).
        rows = list(chunks.indexable() if len(missing) > len(wanted) // 2 else chunks.indexable(missing))
        missing_set = set(missing)
        with index.lock:
            index.replace(outdated, (row for row in rows if row[0] in missing_set))
            index.version = version
        if outdated or missing:
            logger.info("index of account %s caught up to version %d: %d chunks out, %d in", account_id, version,
                        len(outdated), len(missing))

    def current(self, session: Session, account_id: str) -> AccountIndex:
        """The account's index as of the database's version: cached, else loaded from files, caught up."""
        version = self._db_version(session, account_id)
        with self._account_lock(account_id):
            index, fresh = self._cached_or_loaded(account_id)
            # A copy ahead of the database holds this process's changes whose transaction has not ended yet.
            if index.version < version or (index.version > version and not index.uncommitted):
                self._catch_up(session, account_id, index, version)
                if fresh:
                    self._save(account_id, index)  # so the next start loads it instead of reading every chunk
            return index

    @staticmethod
    def _bump_version(session: Session, account_id: str) -> int:
        """Add one to the account's version in the caller's transaction (taking its row lock) and return it."""
        # One upsert: two processes indexing an account's first document never collide on the insert.
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        statement = insert(IndexState).values(account_id=account_id, version=1, updated_at=utcnow()) \
            .on_conflict_do_update(index_elements=[IndexState.account_id],
                                   set_={"version": IndexState.version + 1, "updated_at": utcnow()}) \
            .returning(IndexState.version)
        return session.execute(statement).scalar_one()

    def apply(self, session: Session, account_id: str, *, add: Iterable[Chunk | IndexEntry] = (),
              remove: Sequence[int] = ()) -> None:
        """Apply chunk changes in the caller's transaction; files are written once it commits."""
        add = list(add)
        # First the row lock: another writer of this account (any process) commits before we go on.
        version = self._bump_version(session, account_id)
        with self._account_lock(account_id):
            index, _fresh = self._cached_or_loaded(account_id)
            if index.version == version - 1:
                with index.lock:
                    # Removed first: a chunk replaced in place (edited text) is removed and added back.
                    index.replace(list(remove),
                                  [(c.id, c.text, c.embedding, c.content_hash, c.language) for c in add])
                    index.version = version
            else:
                # Behind (another process changed it) or unknown: read it all, this transaction's changes included.
                self._catch_up(session, account_id, index, version)
            index.uncommitted += 1
        self._track(session, account_id, index)

    def _track(self, session: Session, account_id: str, index: AccountIndex) -> None:
        if PENDING not in session.info:
            session.info[PENDING] = []
            event.listen(session, "after_commit", _after_commit)
            event.listen(session, "after_transaction_end", _after_transaction_end)
        session.info[PENDING].append((self, account_id, index))

    def _ended(self, account_id: str, index: AccountIndex, committed: bool) -> None:
        with self._account_lock(account_id):
            index.uncommitted -= 1
            if not committed:
                index.version = UNKNOWN  # it holds changes the database refused: the next use catches up
            elif self._accounts.get(account_id) is index:
                self._save(account_id, index)

    def _save(self, account_id: str, index: AccountIndex) -> None:
        """Snapshot the copy unless it holds changes of a transaction still open (or rolled back)."""
        with index.lock:
            if index.uncommitted or index.version == UNKNOWN:
                return
            save_snapshot(self.root / account_id, index.version, index.vector, index.keyword, index.hashes)

    def search(self, session: Session, account_id: str, *, query_vector: np.ndarray | None, query_text: str,
               k: int, mode: str, allowed_ids: set[int] | None) -> list[SearchHit]:
        index = self.current(session, account_id)
        with index.lock:
            return index.searcher.search(query_vector, query_text, k, mode=mode, allowed_ids=allowed_ids)

    def rebuild(self, session: Session, account_id: str) -> int:
        """Rebuild the account's index from the database; returns how many chunks it holds."""
        version = self._db_version(session, account_id)
        index = self._empty()
        with self._account_lock(account_id):
            self._catch_up(session, account_id, index, version)
            self._accounts[account_id] = index
            self._save(account_id, index)
        return len(index.vector)

    def forget(self, account_id: str) -> None:
        """Drop the in-memory copy (tests use it to simulate a restart)."""
        with self._account_lock(account_id):
            self._accounts.pop(account_id, None)


def _after_commit(session: Session) -> None:
    for indexes, account_id, index in session.info.pop(PENDING, []):
        indexes._ended(account_id, index, committed=True)
    session.info[PENDING] = []


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint inside the session's transaction
    # Still listed after the transaction ended: it was rolled back (or the session closed without commit).
    for indexes, account_id, index in session.info.get(PENDING, []):
        indexes._ended(account_id, index, committed=False)
    session.info[PENDING] = []
