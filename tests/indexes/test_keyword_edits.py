"""Edits to the segmented keyword index: every search scores as a from-scratch build of the same texts would."""

import random
import threading

import pytest

import indexes.keyword as keyword_module
from indexes.keyword import BM25KeywordIndex

WORDS = ("bicycle repair puncture tyre brake chain saddle helmet rental price refund delivery lisbon porto "
         "opening hours monday sunday warranty battery charger lock basket mudguard pump light bell").split()
QUERIES = ["puncture repair price", "opening hours sunday", "battery charger warranty", "lisbon delivery refund",
           "chain brake brake", "helmet", "zzz unknown"]


def random_texts(rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=rng.randint(1, 30))) for _ in range(count)]


def fresh(texts: dict[int, str]) -> BM25KeywordIndex:
    index = BM25KeywordIndex()
    index.add(list(texts), list(texts.values()))
    return index


def assert_scores_equal_fresh_build(index: BM25KeywordIndex, texts: dict[int, str]) -> None:
    reference = fresh(texts)
    assert index.ids() == set(texts)
    assert len(index) == len(texts)
    for query in QUERIES:
        assert index.max_score(query) == pytest.approx(reference.max_score(query), rel=1e-9)
        scores = index.scores(query, list(texts))
        assert scores == pytest.approx(reference.scores(query, list(texts)), rel=1e-9, abs=1e-12)
        hits, expected = index.search(query, 10), reference.search(query, 10)
        # Equal scores may come in either order (they differ in the last bits), so compare scores, not ids.
        assert [score for _, score in hits] == pytest.approx([score for _, score in expected], rel=1e-9)
        assert all(score == pytest.approx(scores[chunk_id], rel=1e-9) for chunk_id, score in hits)


@pytest.mark.parametrize("freeze_at", [1, 4, 64])
def test_random_adds_replacements_and_removals_score_as_a_fresh_build(freeze_at):
    rng = random.Random(freeze_at)
    # Small limits, so the edits cross buffer freezes and merges many times.
    index = BM25KeywordIndex(freeze_at=freeze_at, max_segments=3, background_merge=False)
    texts: dict[int, str] = {}
    for step in range(120):
        action = rng.random()
        if action < 0.5 or not texts:
            batch = {rng.randrange(200): text for text in random_texts(rng, rng.choice([1, 1, 3, 20]))}
            index.add(list(batch), list(batch.values()))
            texts.update(batch)
        else:
            gone = rng.sample(sorted(texts), k=min(len(texts), rng.choice([1, 2, 5])))
            assert index.remove(gone + [10_000]) == len(gone)
            for chunk_id in gone:
                del texts[chunk_id]
        if step % 20 == 19:
            assert_scores_equal_fresh_build(index, texts)
    assert_scores_equal_fresh_build(index, texts)


def test_a_removed_text_is_never_returned_before_or_after_a_merge():
    index = BM25KeywordIndex(freeze_at=2, background_merge=False)
    index.add([1, 2, 3], ["puncture repair", "puncture kit price", "saddle"])  # a segment of its own
    index.add([4], ["puncture in the buffer"])
    index.remove([2, 4])
    assert {i for i, _ in index.search("puncture", 10)} == {1}
    assert index.scores("puncture", [1, 2, 4]).keys() == {1}
    assert index.search("puncture", 10, allowed_ids={2, 4}) == []
    index.merge()
    assert {i for i, _ in index.search("puncture", 10)} == {1}
    assert_scores_equal_fresh_build(index, {1: "puncture repair", 3: "saddle"})


def test_merge_keeps_scores_and_drops_tombstones():
    rng = random.Random(5)
    index = BM25KeywordIndex(freeze_at=8, max_segments=100, background_merge=False)
    texts = dict(enumerate(random_texts(rng, 100)))
    for chunk_id, text in texts.items():  # one by one: many small segments
        index.add([chunk_id], [text])
    removed = rng.sample(sorted(texts), 30)
    index.remove(removed)
    for chunk_id in removed:
        del texts[chunk_id]
    before = {query: index.search(query, 20) for query in QUERIES}
    index.merge()
    assert len(index._state.segments) == 1 and index._state.dead == 0
    for query in QUERIES:
        hits = index.search(query, 20)
        assert [i for i, _ in hits] == [i for i, _ in before[query]]
        assert [s for _, s in hits] == pytest.approx([s for _, s in before[query]], rel=1e-9)
    assert_scores_equal_fresh_build(index, texts)


@pytest.fixture
def held_merge(monkeypatch):
    """Merges wait, once started, until the test sets the second event: (started, release)."""
    started, release = threading.Event(), threading.Event()
    real_merge = keyword_module.merge

    def held(*args):
        started.set()
        assert release.wait(30)
        return real_merge(*args)

    monkeypatch.setattr(keyword_module, "merge", held)
    yield started, release
    release.set()  # never leave a merge thread waiting


def test_edits_made_during_a_background_merge_are_kept(held_merge):
    started, release = held_merge
    index = BM25KeywordIndex(freeze_at=2, max_segments=1)
    texts = {1: "puncture repair", 2: "brake chain", 3: "saddle helmet", 4: "lisbon delivery"}
    index.add([1, 2], [texts[1], texts[2]])
    index.add([3, 4], [texts[3], texts[4]])  # a second segment: a merge starts on its own thread
    assert started.wait(30)
    index.remove([1])
    index.add([5, 3], ["puncture kit", "saddle bag"])
    del texts[1]
    texts.update({5: "puncture kit", 3: "saddle bag"})
    # Searches answer, with the edits, while the merge is still running.
    assert [i for i, _ in index.search("puncture", 5)] == [5]
    release.set()
    index.refresh()
    # The merged segment is in (3 segments before it) with the later batch replayed onto it as a second one.
    assert len(index._state.segments) == 2
    assert_scores_equal_fresh_build(index, texts)


def test_a_rebuild_during_a_merge_wins(held_merge):
    started, release = held_merge
    index = BM25KeywordIndex(freeze_at=1, max_segments=1)
    index.add([1], ["puncture repair"])
    index.add([2], ["brake chain"])
    assert started.wait(30)
    index.rebuild([7], ["saddle"])
    release.set()
    index.refresh()
    assert index.ids() == {7}
    assert index.search("puncture", 5) == []
    assert [i for i, _ in index.search("saddle", 5)] == [7]


def test_a_batch_naming_an_id_twice_keeps_its_last_text():
    index = BM25KeywordIndex()
    index.add([1, 2, 1], ["puncture", "brake", "saddle"])
    assert len(index) == 2
    assert index.text(1) == "saddle"
    assert index.search("puncture", 5) == []
    assert_scores_equal_fresh_build(index, {1: "saddle", 2: "brake"})
