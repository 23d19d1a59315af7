"""Chunking with the real MiniLM tokenizer: nothing is ever truncated, overlap exists, pages and headings survive."""

from __future__ import annotations

import random

import pytest

from ingest.chunking import chunk_sections
from ingest.parsers import Section, parse_document

WORDS = ("the shop repairs bicycles quickly while customers wait for their wheels tyres brakes and gears "
         "antidisestablishmentarianism electromechanical e-bike batteries").split()


def paragraph(rng: random.Random, sentences: int, words: int = 18) -> str:
    return " ".join(" ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "." for _ in range(sentences))


def chunk(minilm, sections, **options):
    return chunk_sections(sections, count_tokens=minilm.count_tokens, max_tokens=minilm.max_tokens, **options)


def body(text: str, section: str | None) -> str:
    """A chunk's text without its heading line."""
    return text.split("\n", 1)[1] if section else text


def test_long_paragraphs_never_exceed_the_model_limit(minilm):
    rng = random.Random(7)
    text = "\n\n".join(paragraph(rng, sentences=30) for _ in range(12))

    chunks = chunk(minilm, [Section(text, page=4, heading_path=("Workshop", "Repairs"))])

    assert minilm.max_tokens == 256
    assert len(chunks) > 10
    assert max(minilm.count_tokens(c.text) for c in chunks) <= 256
    assert all(c.page == 4 and c.section == "Workshop > Repairs" for c in chunks)
    assert all(c.text.startswith("Workshop > Repairs\n") for c in chunks)
    # Every sentence of the input lands whole in some chunk.
    sentences = [s.strip() + "." for s in text.replace("\n\n", " ").split(".") if s.strip()]
    joined = "\n".join(c.text for c in chunks)
    assert all(sentence in joined for sentence in sentences)


def test_a_single_monster_sentence_is_split_without_losing_words(minilm):
    rng = random.Random(11)
    sentence = " ".join(rng.choice(WORDS) for _ in range(3000))  # no punctuation at all: ~5000 word pieces

    chunks = chunk(minilm, [Section(sentence, page=1)])

    assert minilm.count_tokens(sentence) > 10 * 256
    assert max(minilm.count_tokens(c.text) for c in chunks) <= 256
    assert all(c.text in sentence for c in chunks)  # pieces of the original, unaltered
    assert sentence.startswith(chunks[0].text) and sentence.endswith(chunks[-1].text)


def test_a_word_longer_than_the_limit_is_cut_into_characters(minilm):
    blob = "-".join(f"part{i}" for i in range(600))  # no whitespace, ~1800 word pieces

    chunks = chunk(minilm, [Section(f"Download: {blob} today.", page=None, heading_path=("Links",))])

    assert len(chunks) > 5
    assert max(minilm.count_tokens(c.text) for c in chunks) <= 256
    assert all(c.section == "Links" for c in chunks)


def test_consecutive_chunks_overlap(minilm):
    rng = random.Random(3)
    text = paragraph(rng, sentences=60)

    chunks = chunk(minilm, [Section(text, page=2)], target_tokens=120, overlap_tokens=30)

    assert len(chunks) > 3
    for previous, current in zip(chunks, chunks[1:]):
        opening = " ".join(current.text.split()[:4])
        assert opening in previous.text, "the next chunk should start inside the previous one"
        assert minilm.count_tokens(current.text) <= 120


def test_no_overlap_when_asked_for_none(minilm):
    rng = random.Random(5)
    text = paragraph(rng, sentences=40)

    chunks = chunk(minilm, [Section(text)], target_tokens=100, overlap_tokens=0)

    assert " ".join(c.text for c in chunks) == text


def test_chunks_keep_the_page_and_heading_of_their_section(minilm, sample):
    handbook = chunk(minilm, parse_document(sample("velo_verde_handbook.pdf")).sections)
    prices = chunk(minilm, parse_document(sample("velo_verde_prices.docx")).sections)

    assert [c.ordinal for c in handbook] == list(range(len(handbook)))
    assert {c.page for c in handbook} == {1, 2, 3}
    assert next(c for c in handbook if "within 30 days" in c.text).page == 2
    puncture = next(c for c in prices if "Puncture repair" in c.text)
    assert puncture.section == "Workshop services > Standard repairs"
    assert puncture.text.startswith("Workshop services > Standard repairs\nService: Basic tune-up; Price: £45")
    assert puncture.page is None


def test_the_heading_prefix_is_counted(minilm):
    rng = random.Random(9)
    path = tuple(f"Chapter {i} about wheels, tyres and gears" for i in range(5))  # ~60 word pieces of heading

    chunks = chunk(minilm, [Section(paragraph(rng, sentences=50), heading_path=path)])

    assert all(c.text.startswith(" > ".join(path)) for c in chunks)
    assert max(minilm.count_tokens(c.text) for c in chunks) <= 256


def test_a_giant_heading_is_left_out_rather_than_crowding_the_text(minilm):
    path = ("word " * 200,)

    chunks = chunk(minilm, [Section("Opening hours: Sunday 11:00 to 15:00.", heading_path=path)])

    assert [c.text for c in chunks] == ["Opening hours: Sunday 11:00 to 15:00."]


def test_each_sentence_is_tokenized_a_bounded_number_of_times(minilm):
    rng = random.Random(1)
    text = "\n\n".join(paragraph(rng, sentences=20) for _ in range(25))  # 500 sentences
    calls = 0

    def counting(text: str) -> int:
        nonlocal calls
        calls += 1
        return minilm.count_tokens(text)

    chunks = chunk_sections([Section(text)], count_tokens=counting, max_tokens=256)

    # One count per sentence, one check per chunk, and a few words for each overlap: linear, not quadratic.
    assert calls < 500 + 12 * len(chunks)


def test_the_limit_holds_even_when_token_counts_do_not_add_up(minilm):
    # A tokenizer whose count of joined text exceeds the sum of its parts: the final check must catch it.
    def greedy_counter(text: str) -> int:
        return 2 + len(text.split()) + text.count(" ") // 2

    rng = random.Random(2)
    chunks = chunk_sections([Section(paragraph(rng, sentences=80))], count_tokens=greedy_counter,
                            max_tokens=64, target_tokens=64, overlap_tokens=10)

    assert chunks
    assert max(greedy_counter(c.text) for c in chunks) <= 64


@pytest.mark.parametrize(("options", "message"), [
    ({"max_tokens": 10}, "no room"),
    ({"max_tokens": 256, "target_tokens": 100, "overlap_tokens": 100}, "overlap_tokens"),
])
def test_impossible_settings_fail_loudly(minilm, options, message):
    with pytest.raises(ValueError, match=message):
        chunk_sections([Section("text")], count_tokens=minilm.count_tokens, **options)
