"""The keyword index under edits: the first search after adding or removing one chunk at 100k chunks, beside a
plain search in the same run and the full rebuild the bm25s index paid before segments; then nDCG@10 of keyword
and hybrid search with the old and the new index on SciFact and StackFAQ, and the merge policy's cost.

Chunks are real texts: SciFact titles, sentences and 2-3 sentence windows (bench/search_latency.py's). Each
timed search after an edit uses another of the 300 SciFact test claims, so no search reuses a cached query.

    python bench/keyword_edits.py [--data-dir ../shared/bench] [--size 100000] [--edits 1000] [--part all]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
from pathlib import Path

import common  # noqa: F401 - first: puts this checkout on sys.path before anything imports indexes/
from bm25s_reference import RebuildingBM25Index
from common import (DEFAULT_DATA_DIR, IndexedDataset, evaluate, format_table, index_dataset, load_beir,
                    percentile_ms)
from search_latency import scifact_chunks

from indexes.hybrid import HybridSearcher
from indexes.keyword import FREEZE_AT, BM25KeywordIndex

TOP_K = 10
OLD_REBUILDS = 3  # each costs seconds at 100k


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def after_edits(index, queries: list[str], edit) -> tuple[list[float], list[float]]:
    """(edit seconds, first-search seconds) for one edit then one search, once per query."""
    edits, searches = [], []
    for i, query in enumerate(queries):
        edits.append(timed(edit, i))
        searches.append(timed(index.search, query, TOP_K))
    return edits, searches


def latency(texts: list[str], spare: list[str], queries: list[str], size: int, edits: int) -> None:
    ids = list(range(size))
    index = BM25KeywordIndex()
    build = timed(index.add, ids, texts[:size])
    cycle = [queries[i % len(queries)] for i in range(edits)]
    for query in queries:  # warm-up, untimed
        index.search(query, TOP_K)
    plain = [timed(index.search, query, TOP_K) for query in cycle]
    # Adds of new chunks, then removals of random old ones: the buffer fills, freezes, tombstones pile up.
    add_edit, add_search = after_edits(index, cycle, lambda i: index.add([size + i], [spare[i % len(spare)]]))
    doomed = random.Random(3).sample(ids, edits)
    remove_edit, remove_search = after_edits(index, cycle, lambda i: index.remove([doomed[i]]))
    plain_after = [timed(index.search, query, TOP_K) for query in cycle]
    merge = timed(index.merge)

    old = RebuildingBM25Index()
    old_build = timed(old.add, ids, texts[:size]) + timed(old.search, "warm", 1)
    old_searches = []
    for i in range(OLD_REBUILDS):
        old.add([size + i], [spare[i]])
        old_searches.append(timed(old.search, queries[i], TOP_K))
    old_plain = [timed(old.search, query, TOP_K) for query in queries + queries][len(queries):]  # warmed up

    base = percentile_ms(plain, 95)
    rows = [
        ("plain search, no edit (baseline)", f"{percentile_ms(plain, 50):.2f}", f"{base:.2f}", "1.0x", "–"),
        ("first search after adding 1 chunk", f"{percentile_ms(add_search, 50):.2f}",
         f"{percentile_ms(add_search, 95):.2f}", f"{percentile_ms(add_search, 95) / base:.2f}x",
         f"{percentile_ms(add_edit, 95):.2f}"),
        ("first search after removing 1 chunk", f"{percentile_ms(remove_search, 50):.2f}",
         f"{percentile_ms(remove_search, 95):.2f}", f"{percentile_ms(remove_search, 95) / base:.2f}x",
         f"{percentile_ms(remove_edit, 95):.3f}"),
        (f"plain search after the {2 * edits} edits", f"{percentile_ms(plain_after, 50):.2f}",
         f"{percentile_ms(plain_after, 95):.2f}", f"{percentile_ms(plain_after, 95) / base:.2f}x", "–"),
        ("old (bm25s): plain search", f"{percentile_ms(old_plain, 50):.2f}", f"{percentile_ms(old_plain, 95):.2f}",
         f"{percentile_ms(old_plain, 95) / base:.2f}x", "–"),
        (f"old (bm25s): first search after 1 edit = full rebuild ({OLD_REBUILDS} runs)",
         f"{percentile_ms(old_searches, 50):.0f}", f"{max(old_searches) * 1000:.0f} (max)",
         f"{max(old_searches) * 1000 / base:.0f}x", "–"),
    ]
    print(f"\n### {size:,} chunks, {edits} adds then {edits} removals, one keyword search (k={TOP_K}) after each\n")
    print(f"build (tokenise + index): new {build:.1f} s, old {old_build:.1f} s; merging everything into one "
          f"segment afterwards (off the search path, a background thread in the service): {merge * 1000:.0f} ms\n")
    print(format_table(["what", "p50 ms", "p95 ms", "p95 / baseline p95", "edit call p95 ms"], rows))


def merge_policy(texts: list[str], queries: list[str], size: int) -> None:
    """Plain search p95 as small segments pile up beside the base, the cost FREEZE_AT and MAX_SEGMENTS bound."""
    index = BM25KeywordIndex(max_segments=10_000)  # no merge: the policy is what is measured
    index.add(list(range(size)), texts[:size])
    next_id = size
    rows = []
    for segments in (0, 4, 8, 16):
        while len(index._state.segments) - 1 < segments:  # a batch this big is a segment of its own
            index.add(list(range(next_id, next_id + FREEZE_AT)), texts[:FREEZE_AT])
            next_id += FREEZE_AT
        for buffered in (0, FREEZE_AT - 1):  # the next batch freezes the buffer into one more segment
            index.add(list(range(next_id, next_id + buffered)), texts[:buffered])
            next_id += buffered
            samples = [timed(index.search, query, TOP_K) for query in queries]
            rows.append((segments, len(index._state.buffer), f"{percentile_ms(samples, 50):.2f}",
                         f"{percentile_ms(samples, 95):.2f}"))
    print(f"\n### Merge policy: plain search at {size:,} chunks with small segments of {FREEZE_AT} chunks "
          "beside the base\n")
    print(format_table(["small segments", "documents in the write buffer", "p50 ms", "p95 ms"], rows))


def quality(data_dir: Path, modes: list[str], datasets: list[str]) -> None:
    from ingest.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    print("\n### nDCG@10, old (bm25s) vs new (segments) index\n")
    print("'after edits': the new index with a random fifth of the corpus removed, then re-added one at a time.\n")
    print(format_table(["dataset", "search", "old", "new", "new, after edits", "new - old"], []), flush=True)
    for name in datasets:
        dataset = load_beir(data_dir / name)
        if "hybrid" in modes:
            indexed = index_dataset(dataset, embedder)
        else:  # keyword search needs no vectors, so no embedding
            doc_ids = list(dataset.corpus)
            keyword = BM25KeywordIndex()
            keyword.add(list(range(len(doc_ids))), [dataset.corpus[d] for d in doc_ids])
            indexed = IndexedDataset(dataset, doc_ids, None, keyword, {})
        ids = list(range(len(indexed.doc_ids)))
        texts = [dataset.corpus[doc_id] for doc_id in indexed.doc_ids]
        old = RebuildingBM25Index()
        old.add(ids, texts)
        # The same documents reached through edits: a fifth removed, then added back one by one.
        edited = BM25KeywordIndex(background_merge=False)
        edited.add(ids, texts)
        moved = random.Random(1).sample(ids, len(ids) // 5)
        edited.remove(moved)
        for chunk_id in moved:
            edited.add([chunk_id], [texts[chunk_id]])
        qrels = dataset.qrels["test"]
        for mode in modes:
            ndcg = {}
            for label, keyword in (("old", old), ("new", indexed.keyword_index), ("edited", edited)):
                searcher = HybridSearcher(indexed.vector_index, keyword)
                rankings = {qid: [indexed.doc_ids[hit.chunk_id] for hit in searcher.search(
                    indexed.query_vectors.get(qid), dataset.queries[qid], TOP_K, mode)] for qid in qrels}
                ndcg[label] = evaluate(rankings, qrels)[0]
            print(f"| {name} test | {mode} | {ndcg['old']:.4f} | {ndcg['new']:.4f} | {ndcg['edited']:.4f} | "
                  f"{ndcg['new'] - ndcg['old']:+.4f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=1000, help="adds, then as many removals (default: %(default)s)")
    parser.add_argument("--part", choices=["all", "latency", "policy", "quality"], default="all")
    parser.add_argument("--modes", nargs="+", choices=["keyword", "hybrid"], default=["keyword", "hybrid"],
                        help="searches compared for nDCG; hybrid embeds the corpora once (cached)")
    parser.add_argument("--datasets", nargs="+", choices=["stackfaq", "scifact"], default=["stackfaq", "scifact"])
    args = parser.parse_args()

    print("# Keyword index under edits (bench/keyword_edits.py)")
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, python "
          f"{platform.python_version()}; load average at start "
          + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
    queries = list(load_beir(args.data_dir / "scifact").split_queries("test").values())
    if args.part in ("all", "latency", "policy"):
        texts = [text for _, text in scifact_chunks(args.data_dir)]
        if len(texts) < args.size:
            raise SystemExit(f"only {len(texts)} distinct SciFact chunks, fewer than {args.size}")
        spare = texts[args.size:] or texts[:1000]
        if args.part in ("all", "latency"):
            latency(texts, spare, queries, args.size, args.edits)
        if args.part in ("all", "policy"):
            merge_policy(texts, queries, args.size)
    if args.part in ("all", "quality"):
        quality(args.data_dir, args.modes, args.datasets)


if __name__ == "__main__":
    main()
