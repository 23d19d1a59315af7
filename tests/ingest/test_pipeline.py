"""The ingest pipeline: parse -> chunk -> embed, reusing vectors for text it has seen and reporting progress."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pytest

from app.jobs.priority import Foreground
from ingest.embedders import HashEmbedder
from ingest.parsers import ParseError
from ingest.pipeline import IngestPipeline, KnownChunk, content_hash, document_hash
from tests.files.generated import make_catalogue_pdf

SAMPLES = ("velo_verde_handbook.pdf", "velo_verde_prices.docx", "velo_verde_faq.txt", "velo_verde_faq.md")


def known(result) -> dict[str, KnownChunk]:
    return {chunk.content_hash: KnownChunk(chunk.vector, chunk.units, chunk.unit_vectors) for chunk in result.chunks}


def test_content_hash_ignores_whitespace_and_unicode_form_only():
    assert content_hash("Open on  Sunday\n 11:00 ") == content_hash("Open on Sunday 11:00")
    assert content_hash("café") == content_hash("cafe\u0301")  # composed and decomposed é
    assert content_hash("Open on Sunday") != content_hash("open on sunday")
    assert len(content_hash("x")) == 64


def test_document_hash_is_sha256_of_the_bytes():
    assert document_hash(b"%PDF-1.7") == hashlib.sha256(b"%PDF-1.7").hexdigest()


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_becomes_unit_vectors(sample, name):
    embedder = HashEmbedder()
    result = IngestPipeline(embedder).run(sample(name))

    assert result.chunks
    assert [c.ordinal for c in result.chunks] == list(range(len(result.chunks)))
    vectors = np.stack([c.vector for c in result.chunks])
    assert vectors.dtype == np.float32 and vectors.shape == (len(result.chunks), embedder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert all(c.content_hash == content_hash(c.text) for c in result.chunks)
    assert result.embedded == len({c.content_hash for c in result.chunks})


def test_a_second_run_with_known_vectors_embeds_nothing(sample, counting_embedder):
    pipeline = IngestPipeline(counting_embedder)
    first = pipeline.run(sample("velo_verde_handbook.pdf"))
    embedded_first = len(counting_embedder.embedded)

    second = pipeline.run(sample("velo_verde_handbook.pdf"), known_vectors=known(first))

    assert embedded_first > len(first.chunks) > 0  # the chunks, and the sentences a reply may quote
    assert len(counting_embedder.embedded) == embedded_first, "nothing new should be embedded"
    assert (second.embedded, second.reused) == (0, len(first.chunks))
    assert all(np.array_equal(a.vector, b.vector) for a, b in zip(first.chunks, second.chunks))


def test_each_chunk_keeps_its_sentences_and_their_vectors(sample):
    embedder = HashEmbedder()
    result = IngestPipeline(embedder).run(sample("velo_verde_faq.txt"))
    for chunk in result.chunks:
        sentences = [unit.text for unit in chunk.units if not unit.is_heading]
        assert sentences and all(sentence in chunk.text for sentence in sentences)
        assert chunk.unit_vectors.shape == (len(chunk.units), embedder.dimension)
        for unit, vector in zip(chunk.units, chunk.unit_vectors):
            assert np.allclose(vector, embedder.embed([unit.text])[0], atol=1e-6)  # headings too


def test_a_text_documents_title_heads_its_sentences_and_is_never_one_of_them():
    units = IngestPipeline(HashEmbedder()).run_text("Open Settings and press End plan.", "How do I cancel my plan?"
                                                    ).chunks[0].units
    assert [(u.text, u.is_heading) for u in units] == [("How do I cancel my plan?", True),
                                                       ("Open Settings and press End plan.", False)]


def test_an_edited_document_embeds_only_the_changed_chunks(sample, counting_embedder):
    pipeline = IngestPipeline(counting_embedder)
    original = sample("velo_verde_faq.md")
    first = pipeline.run(original)
    counting_embedder.embedded.clear()

    edited = original.replace("We deliver to EU countries for £14.95.".encode(),
                              "We deliver to EU countries and Switzerland for £16.95.".encode())
    second = pipeline.run(edited, known_vectors=known(first))

    changed = [c.text for c in second.chunks if "Switzerland" in c.text]
    assert len(changed) == 1 and changed[0] in counting_embedder.embedded
    assert all(text in changed[0] for text in counting_embedder.embedded)  # that chunk and its sentences only
    assert second.embedded == 1 and second.reused == len(second.chunks) - 1


def test_repeated_text_in_one_document_is_embedded_once(counting_embedder):
    text = "\n\n".join(["## Returns", "Unused items within 30 days."] * 3).encode()

    result = IngestPipeline(counting_embedder).run(text)

    assert len(result.chunks) == 3
    assert counting_embedder.embedded == ["Returns\nUnused items within 30 days.", "Unused items within 30 days.",
                                          "Returns"]


def test_progress_is_reported_for_every_step(sample):
    events: list[tuple[str, int, int]] = []
    result = IngestPipeline(HashEmbedder(), batch_size=2).run(
        sample("velo_verde_prices.docx"), progress=lambda *event: events.append(event))

    steps = [step for step, _, _ in events]
    assert steps.index("parse") < steps.index("chunk") < steps.index("embed")
    embed = [(done, total) for step, done, total in events if step == "embed"]
    texts = {c.text for c in result.chunks} | {u.text for c in result.chunks for u in c.units}
    batches = -(-len(texts) // 2)  # the chunks, their sentences and headings, two a batch
    assert embed == [(done, batches) for done in range(batches + 1)]
    assert ("parse", 1, 1) in events and ("chunk", 1, 1) in events


def test_progress_when_everything_is_known(sample):
    pipeline = IngestPipeline(HashEmbedder())
    first = pipeline.run(sample("velo_verde_faq.txt"))
    events: list[tuple[str, int, int]] = []

    pipeline.run(sample("velo_verde_faq.txt"), known_vectors=known(first), progress=lambda *e: events.append(e))

    assert [e for e in events if e[0] == "embed"] == [("embed", 0, 0)]


def test_run_text_uses_the_title_as_heading():
    result = IngestPipeline(HashEmbedder()).run_text("We are closed on  25 December.", title="Holiday hours")

    assert result.document.format == "text"
    assert [(c.text, c.section, c.page) for c in result.chunks] == [
        ("Holiday hours\nWe are closed on 25 December.", "Holiday hours", None)]


def test_run_text_rejects_empty_text():
    with pytest.raises(ParseError, match="the text is empty"):
        IngestPipeline(HashEmbedder()).run_text("  \n ", title="Nothing")


def test_parse_errors_reach_the_caller():
    with pytest.raises(ParseError, match="the file is empty"):
        IngestPipeline(HashEmbedder()).run(b"")


def test_known_vectors_from_another_model_are_refused():
    pipeline = IngestPipeline(HashEmbedder(dimension=256))
    text = "Unused items can be returned within 30 days."

    with pytest.raises(ValueError, match="shape"):
        pipeline.run_text(text, known_vectors={content_hash(text): np.ones(384, dtype=np.float32)})


def test_the_real_model_finds_the_right_facts(sample, minilm):
    pipeline = IngestPipeline(minilm)
    chunks = [chunk for name in SAMPLES for chunk in pipeline.run(sample(name)).chunks]
    matrix = np.stack([c.vector for c in chunks])

    def top3(question: str) -> str:
        scores = matrix @ minilm.embed([question])[0]
        return "\n".join(chunks[i].text for i in np.argsort(-scores)[:3])

    assert max(minilm.count_tokens(c.text) for c in chunks) <= 256
    assert "Sunday: 11:00 to 15:00" in top3("Are you open on Sunday?")
    assert "within 30 days" in top3("What is your return policy?")
    assert "puncture repair is £12" in top3("How much is a puncture repair?")
    assert "+44 20 7946 0958" in top3("What is your phone number?")


def test_parsing_and_chunking_wait_while_urgent_work_runs():
    """Pages and chunks are pure Python: a background ingestion steps aside at each, or a reply in the same process
    would queue behind the whole document for the interpreter."""
    priority = Foreground(max_pause_seconds=30)
    pdf = make_catalogue_pdf(3)
    events: list[tuple[str, int, int]] = []
    finished = threading.Event()

    def ingest():
        IngestPipeline(HashEmbedder()).run(pdf, progress=lambda *event: events.append(event),
                                           pause=priority.give_way)
        finished.set()

    with priority.running():  # a reply is being worked on
        worker = threading.Thread(target=ingest)
        worker.start()
        assert not finished.wait(0.5)
        assert ("parse", 1, 1) not in events  # held before its first page
    assert finished.wait(30)  # and goes on once the reply is done
    worker.join()


def test_language_detection_and_sentence_splitting_wait_while_urgent_work_runs():
    """Both are pure Python too, over every chunk: without a step aside at each, replies during a 200-page upload
    waited up to 0.8 s (bench/burst.py)."""
    pipeline = IngestPipeline(HashEmbedder())
    chunks = pipeline.chunk(pipeline.parse(make_catalogue_pdf(3)))
    priority = Foreground(max_pause_seconds=30)
    finished = threading.Event()

    def embed():
        pipeline.embed(chunks, pause=priority.give_way)
        finished.set()

    with priority.running():
        worker = threading.Thread(target=embed)
        worker.start()
        assert not finished.wait(0.5)
    assert finished.wait(30)
    worker.join()


def test_sentences_stored_before_headings_were_kept_are_split_anew():
    pipeline = IngestPipeline(HashEmbedder())
    first = pipeline.run_text("Open Settings, choose Billing and press End plan.", "How do I cancel?")
    chunk = first.chunks[0]
    old_units = tuple(u for u in chunk.units if not u.is_heading)  # as stored before the title was a heading
    stored = {chunk.content_hash: KnownChunk(chunk.vector, old_units, np.zeros((len(old_units), len(chunk.vector)), np.float32))}

    again = pipeline.run_text("Open Settings, choose Billing and press End plan.", "How do I cancel?",
                              known_vectors=stored).chunks[0]

    assert [(u.text, u.is_heading) for u in again.units] == [("How do I cancel?", True),
                                                             ("Open Settings, choose Billing and press End plan.",
                                                              False)]
    assert np.abs(again.unit_vectors).sum(axis=1).all()  # every unit embedded, the heading too
