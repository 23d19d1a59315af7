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


# Each pair: a document sentence and a question that shares its content words only as other inflections, which only
# that language's stemmer brings together.
WORD_FORMS = {
    "es": ("La habitación doble cuesta 80 euros por noche.", "¿Cuánto cuestan las habitaciones?"),
    "de": ("Jedes Zimmer hat einen Balkon.", "Gibt es Zimmern mit Balkonen?"),
    "pt": ("Aceitamos cartões de crédito.", "Vocês aceitam cartão?"),
    "fr": ("Les animaux sont acceptés dans les chambres.", "Acceptez-vous un animal?"),
}


@pytest.mark.parametrize("language", sorted(WORD_FORMS))
def test_a_text_is_stemmed_in_its_own_language(language):
    sentence, question = WORD_FORMS[language]
    as_english = BM25KeywordIndex()
    as_english.add([1, 2], [sentence, "Breakfast is served from seven."])
    in_language = BM25KeywordIndex()
    in_language.add([1, 2], [sentence, "Breakfast is served from seven."], [language, "en"])
    assert ids_of(as_english.search(question, 2)) == []
    assert ids_of(in_language.search(question, 2)) == [1]


def test_function_words_of_a_language_match_nothing():
    index = BM25KeywordIndex()
    index.add([1, 2], ["El desayuno se sirve de siete a diez.", "La piscina abre en verano."], ["es", "es"])
    assert index.search("de la en el se", 5) == []
    assert ids_of(index.search("¿A qué hora es el desayuno?", 5)) == [1]


def test_a_query_is_read_in_its_own_language_when_the_texts_are_in_several():
    index = BM25KeywordIndex()
    index.add([1, 2, 3], ["Las habitaciones tienen vistas al mar.", "Rooms are cleaned every day.",
                          "El restaurante abre a las ocho."], ["es", "en", "es"])
    assert ids_of(index.search("¿Qué vistas tiene la habitación?", 3)) == [1]
    assert ids_of(index.search("When is my room cleaned?", 3)) == [2]


def test_languages_survive_save_load_and_removal(tmp_path):
    index = BM25KeywordIndex()
    index.add([1, 2], ["Jedes Zimmer hat einen Balkon.", "Every room has a balcony."], ["de", "en"])
    index.save(tmp_path)
    loaded = BM25KeywordIndex()
    loaded.load(tmp_path)
    assert ids_of(loaded.search("Zimmern", 2)) == [1]
    loaded.remove([2])
    # Only German is left: an English word no German text has matches nothing, German forms still match.
    assert ids_of(loaded.search("Gibt es Zimmern mit Balkonen?", 2)) == [1]


def test_a_snapshot_without_languages_is_refused(tmp_path):
    import gzip
    import json

    (tmp_path / FILE_NAME).write_bytes(gzip.compress(json.dumps(
        {"format_version": 1, "k1": 1.5, "b": 0.75, "items": [[1, "Jedes Zimmer hat einen Balkon."]]}).encode()))
    with pytest.raises(IndexCorrupt):
        BM25KeywordIndex().load(tmp_path)  # read in English it would never match "Zimmern": rebuilt from the database
