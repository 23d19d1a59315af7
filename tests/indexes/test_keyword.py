import pytest

from indexes.base import IndexCorrupt, KeywordIndex
from indexes.keyword import FILE_NAME, BM25KeywordIndex

TEXTS = {
    1: "How to run the backup script every night",
    2: "Opening hours: we are open Monday to Friday",
    3: "Refunds are issued within five working days",
    4: "The runner app syncs your workouts",
    5: "Delivery to Lisbon takes two days",
}


@pytest.fixture
def index() -> BM25KeywordIndex:
    index = BM25KeywordIndex()
    index.add(list(TEXTS), list(TEXTS.values()))
    return index


def ids_of(hits) -> list[int]:
    return [chunk_id for chunk_id, _ in hits]


def test_implements_protocol():
    assert isinstance(BM25KeywordIndex(), KeywordIndex)


def test_stemming_matches_word_forms(index):
    assert ids_of(index.search("running", 3)) == [1]
    assert ids_of(index.search("refund issue", 3)) == [3]
    assert 2 in ids_of(index.search("opens", 3))


def test_stopwords_and_unknown_words_match_nothing(index):
    assert index.search("the and of", 5) == []
    assert index.search("zzzz", 5) == []
    assert index.search("", 5) == []


def test_changes_are_visible_to_the_next_search(index):
    assert ids_of(index.search("lisbon", 5)) == [5]
    index.remove([5])
    assert index.search("lisbon", 5) == []
    index.add([6], ["Lisbon pickup point"])
    assert ids_of(index.search("lisbon", 5)) == [6]
    index.add([6], ["Porto pickup point"])  # re-adding replaces the text
    assert index.search("lisbon", 5) == []
    assert len(index) == 5


def test_filtered_search_only_returns_allowed_ids(index):
    assert ids_of(index.search("days", 5)) in ([3, 5], [5, 3])
    assert ids_of(index.search("days", 5, allowed_ids={5, 99})) == [5]
    assert index.search("days", 5, allowed_ids=set()) == []


def test_scores_and_max_score(index):
    hits = dict(index.search("backup script nightly", 5))
    scores = index.scores("backup script nightly", [1, 2, 42])
    assert set(scores) == {1, 2}
    assert scores[1] == pytest.approx(hits[1])
    assert scores[2] == 0.0
    assert 0 < scores[1] < index.max_score("backup script nightly")
    assert index.max_score("the") == 0.0


def test_a_query_word_that_no_chunk_has_still_counts_in_the_bound(index):
    # Chunk 4 shares only "your" with "your address": it must not look like a match of the whole query.
    alone = index.scores("your", [4])[4] / index.max_score("your")
    with_unseen_word = index.scores("your address", [4])[4] / index.max_score("your address")
    assert with_unseen_word < alone / 2


def test_empty_index_returns_nothing():
    index = BM25KeywordIndex()
    assert index.search("anything", 3) == []
    assert index.scores("anything", [1]) == {}
    assert index.max_score("anything") == 0.0


def test_save_and_load_round_trip(index, tmp_path):
    index.save(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [FILE_NAME]
    loaded = BM25KeywordIndex()
    loaded.load(tmp_path)
    assert loaded.ids() == set(TEXTS)
    assert loaded.search("refunds", 3) == index.search("refunds", 3)
    assert loaded.text(2) == TEXTS[2]


def test_load_raises_index_corrupt(index, tmp_path):
    with pytest.raises(IndexCorrupt, match="missing"):
        index.load(tmp_path)
    index.save(tmp_path)
    path = tmp_path / FILE_NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt):
        index.load(tmp_path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(IndexCorrupt):
        index.load(tmp_path)
    assert index.ids() == set(TEXTS)  # a failed load leaves the index untouched
