"""Ingestion throughput: the whole pipeline (parse, chunk, embed, index) against the bare model on the same chunks,
in one process, for the fp32 (torch) and the int8 (ONNX) MiniLM. The model is the cost; everything else should be
nearly free (target ratio >= 0.9), and the int8 model should embed batches at least twice as fast as fp32.

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
from ingest.onnx_embedder import OnnxInt8Embedder
from ingest.pipeline import IngestPipeline

BATCH = 32


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


def run_bare(embedder, texts: list[str]) -> float:
    """The model alone: sentence-transformers' encode for fp32, the int8 embedder's own batched forward."""
    started = time.perf_counter()
    if isinstance(embedder, SentenceTransformerEmbedder):
        embedder.model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True,
                              show_progress_bar=False)
    else:
        embedder.embed(texts)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--abstracts-per-document", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=4)
    args = parser.parse_args()

    embedders = {"fp32": SentenceTransformerEmbedder(batch_size=BATCH), "int8": OnnxInt8Embedder(batch_size=BATCH)}
    # The service's default pipeline: chunk vectors only (sentence vectors are for the fitted answer decision).
    pipelines = {precision: IngestPipeline(embedder, batch_size=BATCH, embed_units=False)
                 for precision, embedder in embedders.items()}
    for embedder in embedders.values():
        embedder.warm_up()
        embedder.embed(["warm up the model threads"])
    documents = make_documents(args.documents, args.abstracts_per_document)
    megabytes = sum(map(len, documents)) / 2**20

    rows = []
    for repeat in range(args.repeats):
        # Alternate the order so no side always runs on a warmer (or busier) machine.
        order = list(embedders) if repeat % 2 == 0 else list(embedders)[::-1]
        for precision in order:
            if repeat % 2 == 0:
                pipeline_seconds, texts = run_pipeline(pipelines[precision], documents)
                bare_seconds = run_bare(embedders[precision], texts)
            else:
                bare_seconds = run_bare(embedders[precision], texts)
                pipeline_seconds, texts = run_pipeline(pipelines[precision], documents)
            rows.append((precision, repeat + 1, len(texts), pipeline_seconds, bare_seconds))

    print(f"\nIngestion throughput: {len(documents)} Markdown documents, {megabytes:.2f} MB, batch {BATCH}, "
          f"{', '.join(e.name for e in embedders.values())}\n")
    print("| model | run | chunks | pipeline s | bare model s | pipeline chunks/s | bare chunks/s | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for precision, run, chunks, pipeline_seconds, bare_seconds in rows:
        print(f"| {precision} | {run} | {chunks} | {pipeline_seconds:.2f} | {bare_seconds:.2f} "
              f"| {chunks / pipeline_seconds:.1f} | {chunks / bare_seconds:.1f} "
              f"| {bare_seconds / pipeline_seconds:.3f} |")
    print("\nratio = bare model time / pipeline time (1.0 = the pipeline costs nothing beyond the model), "
          "target >= 0.9")
    for precision in embedders:
        ratios = sorted(bare / pipe for p, _, _, pipe, bare in rows if p == precision)
        print(f"- {precision}: median {ratios[len(ratios) // 2]:.3f}, best {ratios[-1]:.3f}")
    # Same run, same chunks: how much faster int8 embeds than fp32, repeat by repeat.
    by_precision = {precision: [row for row in rows if row[0] == precision] for precision in embedders}
    bare = sorted(fp32[4] / int8[4] for fp32, int8 in zip(by_precision["fp32"], by_precision["int8"]))
    whole = sorted(fp32[3] / int8[3] for fp32, int8 in zip(by_precision["fp32"], by_precision["int8"]))
    print(f"\nint8 / fp32 batch throughput, bare model: median {bare[len(bare) // 2]:.2f}x "
          f"(runs: {', '.join(f'{x:.2f}' for x in bare)}); whole pipeline: median {whole[len(whole) // 2]:.2f}x; "
          f"goal >= 2x")


if __name__ == "__main__":
    main()
