"""Index files on disk: a cache for restarts, one complete snapshot per folder.

Layout: `<data_dir>/indexes/<account>/v<version>-<token>/` holds vectors.npz, keyword.json.gz and chunks.json.gz
(the chunk id -> content hash list the snapshot holds). A snapshot is written into a hidden folder and renamed
into place whole, so processes sharing a data dir (an API and a worker on one machine) never load one process's
vectors beside another's keywords. A snapshot may be older than the database: the loader compares its chunk list
with the database and catches up (app/kb/indexing.py).
"""

import gzip
import json
import logging
import os
import secrets
import shutil
import time
import zlib
from pathlib import Path

from indexes.base import IndexCorrupt
from indexes.faiss_index import FaissVectorIndex
from indexes.files import write_atomically
from indexes.keyword import BM25KeywordIndex

logger = logging.getLogger("replybase.kb")
CHUNKS_FILE = "chunks.json.gz"
# Two: a process loading the newer one while the next save prunes still finds a complete older one.
KEEP = 2
# A hidden folder this old is a save that crashed half-way (saves take seconds at most).
ABANDONED_SECONDS = 3600
# Files of the layout before snapshots (one set directly in the account's folder).
LEGACY_FILES = ("vectors.npz", "keyword.json.gz", "version.json")


def _snapshots(account_dir: Path) -> list[tuple[int, Path]]:
    """(version, folder) of every complete snapshot, newest first."""
    found = []
    for path in account_dir.glob("v*-*"):
        try:
            found.append((int(path.name[1:].split("-", 1)[0]), path))
        except ValueError:
            continue
    return sorted(found, key=lambda item: (item[0], item[1].stat().st_mtime if item[1].exists() else 0),
                  reverse=True)


def save_snapshot(account_dir: Path, version: int, vector: FaissVectorIndex, keyword: BM25KeywordIndex,
                  hashes: dict[int, str]) -> Path:
    """Write one complete snapshot (the caller holds the index lock), then prune old ones."""
    account_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    temp = account_dir / f".tmp-{token}"
    temp.mkdir()
    try:
        vector.save(temp)
        keyword.save(temp)
        payload = gzip.compress(json.dumps({"version": version, "chunks": sorted(hashes.items())}).encode())
        write_atomically(temp / CHUNKS_FILE, lambda handle: handle.write(payload))
        final = account_dir / f"v{version:012d}-{token}"
        os.rename(temp, final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _prune(account_dir)
    return final


def _prune(account_dir: Path) -> None:
    for _version, path in _snapshots(account_dir)[KEEP:]:
        shutil.rmtree(path, ignore_errors=True)
    for path in account_dir.glob(".tmp-*"):
        try:
            if time.time() - path.stat().st_mtime > ABANDONED_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue
    for name in LEGACY_FILES:
        (account_dir / name).unlink(missing_ok=True)


def load_newest(account_dir: Path, vector: FaissVectorIndex, keyword: BM25KeywordIndex
                ) -> tuple[int, dict[int, str]] | None:
    """Fill `vector` and `keyword` from the newest readable snapshot; its version and chunk hashes, or None."""
    for version, path in _snapshots(account_dir):
        try:
            chunks = json.loads(gzip.decompress((path / CHUNKS_FILE).read_bytes()))
            vector.load(path)
            keyword.load(path)
            hashes = {int(chunk_id): str(digest) for chunk_id, digest in chunks["chunks"]}
        except (IndexCorrupt, OSError, ValueError, KeyError, TypeError, EOFError, zlib.error) as exc:
            # Corrupt, or pruned by another process while being read: an older one or the database will do.
            logger.warning("index snapshot %s is unusable (%s); trying the next", path, exc)
            continue
        if len(vector) != len(hashes):
            logger.warning("index snapshot %s lists %d chunks but holds %d vectors; trying the next", path,
                           len(hashes), len(vector))
            continue
        return version, hashes
    return None
