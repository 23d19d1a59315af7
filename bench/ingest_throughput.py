"""Ingestion throughput: the whole pipeline (parse, chunk, embed, index) against bare `model.encode` on the same
chunks, in one process. The model is the cost; everything else should be nearly free (target ratio >= 0.9).

    python bench/ingest_throughput.py [--documents 10] [--abstracts-per-document 40] [--repeats 4]
"""

from __future__ import annotations

import argparse
import time

import common  # noqa: F401 - puts the repository on sys.path and keeps the model offline
import numpy as np

from common import DEFAULT_DATA_DIR, load_beir
from indexes.faiss_index import FaissVectorIndex
from indexes.keyword import BM25KeywordIndex
from ingest.embedders import SentenceTransformerEmbedder
from ingest.pipeline import IngestPipeline


def make_documents(count: int, per_document: int) -> list[bytes]:
    """Markdown documents of SciFact abstracts, one heading per abstract: realistic text, realistic lengths."""
    corpus = list(load_beir(DEFAULT_DATA_DIR / "scifact").corpus.values())
    documents = []
    for number in range(count):
        abstracts = corpus[number * per_document:(number + 1) * per_document]
        body = "\n\n".join(f"## Abstract {number}.{i}\n\n{text}" for i, text in enumerate(abstracts))
        documents.append(f"# Collection {number}\n\n{body}\n".encode())
    return documents


def run_pipeline(pipeline: IngestPipeline, documents: list[bytes]) -> tuple[float, list[str]]:
    vectors, keywords = FaissVectorIndex(pipeline.embedder.dimension), BM25KeywordIndex()
    texts: list[str] = []
    started = time.perf_counter()
    for document in documents:
        result = pipeline.run(document)
        ids = list(range(len(texts), len(texts) + len(result.chunks)))
        texts.extend(chunk.text for chunk in result.chunks)
        vectors.add(ids, np.vstack([chunk.vector for chunk in result.chunks]))
        keywords.add(ids, [chunk.text for chunk in result.chunks])
    keywords.search("warm the keyword index", 1)  # bm25s builds lazily: count its build in the pipeline
    return time.perf_counter() - started, texts


def run_bare(embedder: SentenceTransformerEmbedder, texts: list[str]) -> float:
    started = time.perf_counter()
    embedder.model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                          show_progress_bar=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--abstracts-per-document", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()

    embedder = SentenceTransformerEmbedder()
    embedder.warm_up()
    embedder.embed(["warm up the model threads"])
    pipeline = IngestPipeline(embedder)
    documents = make_documents(args.documents, args.abstracts_per_document)
    megabytes = sum(map(len, documents)) / 2**20

    rows = []
    for repeat in range(args.repeats):
        # Alternate the order so neither side always runs on a warmer machine.
        if repeat % 2 == 0:
            pipeline_seconds, texts = run_pipeline(pipeline, documents)
            bare_seconds = run_bare(embedder, texts)
        else:
            bare_seconds = run_bare(embedder, texts)
            pipeline_seconds, texts = run_pipeline(pipeline, documents)
        rows.append((repeat + 1, len(texts), pipeline_seconds, bare_seconds))

    print(f"\nIngestion throughput: {len(documents)} Markdown documents, {megabytes:.2f} MB, "
          f"model {embedder.name}, batch 32\n")
    print("| run | chunks | pipeline s | bare encode s | pipeline chunks/s | bare chunks/s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for run, chunks, pipeline_seconds, bare_seconds in rows:
        print(f"| {run} | {chunks} | {pipeline_seconds:.2f} | {bare_seconds:.2f} | {chunks / pipeline_seconds:.1f} "
              f"| {chunks / bare_seconds:.1f} | {bare_seconds / pipeline_seconds:.3f} |")
    ratios = sorted(bare / pipe for _, _, pipe, bare in rows)
    print(f"\nratio = bare encode time / pipeline time (1.0 = the pipeline costs nothing beyond the model); "
          f"median {ratios[len(ratios) // 2]:.3f}, best {ratios[-1]:.3f}, target >= 0.9")


if __name__ == "__main__":
    main()
