"""Cross-process index freshness: what another process pays to see a 20-chunk upload, against rebuilding the
account's index from the database (what a stale copy cost before catch-up) and a search with nothing changed, in
one process, on one SQLite or PostgreSQL database.

Two `KnowledgeIndexes` with separate data dirs play two machines. Chunks get random unit vectors and synthetic
texts (the model plays no part in what is measured).

    python bench/index_sync.py [--chunks 5000 20000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
import numpy as np
from common import format_table

from app.auth.service import create_account_with_owner
from app.bootstrap import build_services
from app.config import Settings
from app.kb.indexing import KnowledgeIndexes
from app.kb.models import Chunk, Document
from ingest.embedders import HashEmbedder

DIMENSION = 384  # all-MiniLM-L6-v2's
WORDS = ("brake cable tyre chain gear saddle frame wheel spoke pedal helmet light lock pump valve rim hub "
         "warranty repair service price delivery return refund order stock size colour rental battery").split()
UPLOAD = 20
ROUNDS = 5


def add_document(services, account_id: str, count: int, rng: random.Random, indexes: KnowledgeIndexes) -> None:
    """One ready document of `count` chunks, indexed through `indexes` in the same transaction."""
    vectors = rng_vectors(rng, count)
    with services.session_factory() as session:
        document = Document(account_id=account_id, title=f"doc-{rng.random()}", content_type="text/plain",
                            size_bytes=1, content_hash=f"{rng.getrandbits(128):032x}", status="ready")
        session.add(document)
        session.flush()
        chunks = []
        for ordinal in range(count):
            text = " ".join(rng.choice(WORDS) for _ in range(40))
            chunks.append(Chunk(account_id=account_id, document_id=document.id, ordinal=ordinal, text=text,
                                content_hash=f"{rng.getrandbits(256):064x}", embedding=vectors[ordinal].tobytes(),
                                embedding_model="bench"))
        session.add_all(chunks)
        session.flush()
        indexes.apply(session, account_id, add=chunks)
        session.commit()


def rng_vectors(rng: random.Random, count: int) -> np.ndarray:
    vectors = np.random.default_rng(rng.getrandbits(32)).normal(size=(count, DIMENSION)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def timed_search(services, indexes: KnowledgeIndexes, account_id: str, query: np.ndarray) -> tuple[float, float]:
    """(ms to bring the copy up to date, ms for the search itself)."""
    with services.session_factory() as session:
        started = time.perf_counter()
        indexes.current(session, account_id)
        fresh = time.perf_counter()
        indexes.search(session, account_id, query_vector=query, query_text="brake repair price", k=5,
                       mode="hybrid", allowed_ids=None)
        return (fresh - started) * 1000, (time.perf_counter() - fresh) * 1000


def measure(database_url: str, size: int, root: Path) -> list:
    services = build_services(Settings(_env_file=None, data_dir=root / "a", database_url=database_url,
                                       run_workers=False, embedding_provider="hash"))
    embedder = HashEmbedder(dimension=DIMENSION)
    machine_a = KnowledgeIndexes(root / "a", embedder)
    machine_b = KnowledgeIndexes(root / "b", embedder)
    rng = random.Random(size)
    with services.session_factory() as session:
        account, _ = create_account_with_owner(session, email=f"bench-{rng.random()}@example.com",
                                               password="password-1", account_name="bench", plan="business")
        session.commit()
    for _ in range(size // 1000):
        add_document(services, account.id, 1000, rng, machine_a)
    query = rng_vectors(rng, 1)[0]
    timed_search(services, machine_b, account.id, query)  # B's copy exists

    rebuilds, catch_ups, searches_after, steady = [], [], [], []
    for _ in range(ROUNDS):
        with services.session_factory() as session:
            started = time.perf_counter()
            machine_b.rebuild(session, account.id)
            rebuilds.append((time.perf_counter() - started) * 1000)
        add_document(services, account.id, UPLOAD, rng, machine_a)  # on the other machine
        fresh, search = timed_search(services, machine_b, account.id, query)
        catch_ups.append(fresh)
        searches_after.append(search)
        steady.append(sum(timed_search(services, machine_b, account.id, query)))
    services.engine.dispose()
    rebuild, catch_up = statistics.median(rebuilds), statistics.median(catch_ups)
    return [size, f"{rebuild:.0f}", f"{catch_up:.1f}", f"{statistics.median(searches_after):.1f}",
            f"{statistics.median(steady):.1f}", f"{rebuild / catch_up:.0f}x"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--database-url", default="", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    rows = []
    for size in args.chunks:
        with tempfile.TemporaryDirectory() as directory:
            rows.append(measure(args.database_url, size, Path(directory)))
    print(f"\nAnother process uploads {UPLOAD} chunks; this one searches next (median of {ROUNDS}, ms)\n")
    print(format_table(["chunks", "full rebuild", "catch-up", "search after catch-up (BM25 rebuilds lazily)",
                        "search, nothing changed", "rebuild / catch-up"], rows))


if __name__ == "__main__":
    main()
