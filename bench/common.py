"""Shared helpers for the retrieval benchmarks: BEIR loading, cached embeddings, metrics."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "bench"
CACHE_DIR = REPO_ROOT / "bench" / ".cache"

# The benchmarks import the service's own packages from a checkout, without installing it.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# Never reach the network for the bundled model.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass
class BeirDataset:
    """A BEIR-layout collection: doc id -> search text, query id -> text, split -> qrels."""

    name: str
    corpus: dict[str, str]
    queries: dict[str, str]
    qrels: dict[str, dict[str, dict[str, int]]]

    def split_queries(self, split: str) -> dict[str, str]:
        """Queries judged in `split` (only those count for that split)."""
        judged = self.qrels[split]
        return {qid: text for qid, text in self.queries.items() if qid in judged}


def load_beir(directory: Path) -> BeirDataset:
    """Read corpus.jsonl, queries.jsonl and every qrels/*.tsv under `directory`."""
    corpus: dict[str, str] = {}
    with open(directory / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            # BEIR / MTEB convention for the searchable text.
            corpus[doc["_id"]] = f"{doc.get('title', '')} {doc['text']}".strip()
    queries: dict[str, str] = {}
    with open(directory / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            query = json.loads(line)
            queries[query["_id"]] = query["text"]
    qrels: dict[str, dict[str, dict[str, int]]] = {}
    for path in sorted((directory / "qrels").glob("*.tsv")):
        split: dict[str, dict[str, int]] = {}
        with open(path, encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter="\t")
            next(reader)
            for query_id, doc_id, score in reader:
                split.setdefault(query_id, {})[doc_id] = int(score)
        qrels[path.stem] = split
    return BeirDataset(directory.name, corpus, queries, qrels)


def cached_embeddings(embedder, texts: Sequence[str], label: str) -> np.ndarray:
    """Embed `texts`, reusing bench/.cache/<label>-<hash>.npy keyed by model name and exact texts."""
    digest = hashlib.sha256(embedder.name.encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    path = CACHE_DIR / f"{label}-{digest.hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = embedder.embed(list(texts))
    print(f"  embedded {len(texts)} {label} texts in {time.perf_counter() - started:.1f} s (now cached)",
          file=sys.stderr)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp.npy")
    np.save(temp, vectors)
    os.replace(temp, path)
    return vectors


@dataclass
class IndexedDataset:
    """A dataset loaded into the service's own index classes; chunk id i is doc_ids[i]."""

    dataset: BeirDataset
    doc_ids: list[str]
    vector_index: object
    keyword_index: object
    query_vectors: dict[str, np.ndarray]


def index_dataset(dataset: BeirDataset, embedder) -> IndexedDataset:
    """Embed (or reuse cached vectors for) the corpus and queries and fill a FAISS and a BM25 index."""
    from indexes.faiss_index import FaissVectorIndex
    from indexes.keyword import BM25KeywordIndex

    doc_ids = list(dataset.corpus)
    texts = [dataset.corpus[doc_id] for doc_id in doc_ids]
    query_ids = list(dataset.queries)
    corpus_vectors = cached_embeddings(embedder, texts, f"{dataset.name}-corpus")
    query_vectors = cached_embeddings(embedder, [dataset.queries[q] for q in query_ids], f"{dataset.name}-queries")
    vector_index = FaissVectorIndex(corpus_vectors.shape[1])
    vector_index.add(list(range(len(doc_ids))), corpus_vectors)
    keyword_index = BM25KeywordIndex()
    keyword_index.add(list(range(len(doc_ids))), texts)
    return IndexedDataset(dataset, doc_ids, vector_index, keyword_index, dict(zip(query_ids, query_vectors)))


def evaluate(rankings: dict[str, Sequence[str]], qrels: dict[str, dict[str, int]], k: int = 10) -> tuple[float, float]:
    """Mean nDCG@k and Recall@k over every judged query (a query without a ranking scores 0)."""
    ndcgs = [ndcg_at_k(rankings.get(qid, []), relevant, k) for qid, relevant in qrels.items()]
    recalls = [recall_at_k(rankings.get(qid, []), relevant, k) for qid, relevant in qrels.items()]
    return float(np.mean(ndcgs)), float(np.mean(recalls))


def ndcg_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with gain = qrels score and IDCG over all judged-relevant docs (pytrec_eval / BEIR)."""
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranked[:k]))
    ideal = sorted((score for score in relevant.values() if score > 0), reverse=True)[:k]
    idcg = sum(score / math.log2(rank + 2) for rank, score in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at_k(ranked: Sequence[str], relevant: dict[str, int], k: int = 10) -> float:
    """|relevant ∩ top-k| / |relevant|."""
    positives = {doc for doc, score in relevant.items() if score > 0}
    return len(positives.intersection(ranked[:k])) / len(positives) if positives else 0.0


def percentile_ms(samples_seconds: Sequence[float], percentile: float) -> float:
    """The given percentile of a list of durations, in milliseconds."""
    return float(np.percentile(np.asarray(samples_seconds) * 1000.0, percentile))


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, so the printed output can be pasted into docs as is."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
