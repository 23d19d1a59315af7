import json

import numpy as np
import pytest
from tests.indexes.random_vectors import unit_vectors

from indexes.faiss_index import FILE_NAME as VECTOR_FILE
from indexes.keyword import FILE_NAME as KEYWORD_FILE
from indexes.store import MANIFEST_NAME, AccountIndexes, IndexNeedsRebuild

DIMENSION = 16


def items(texts: list[str], first_id: int = 1, seed: int = 0):
    vectors = unit_vectors(len(texts), DIMENSION, seed)
    return [(first_id + row, text, vectors[row]) for row, text in enumerate(texts)]


@pytest.fixture
def store(tmp_path) -> AccountIndexes:
    store = AccountIndexes(tmp_path, DIMENSION, model_name="test-model")
    store.rebuild(1, items(["alpha refund policy", "alpha opening hours"]))
    store.rebuild("shop-2", items(["beta refund policy", "beta opening hours"]))
    return store


def search_ids(store, account, text, vector=None, mode="keyword"):
    vector = np.zeros(DIMENSION, np.float32) if vector is None else vector
    return [hit.chunk_id for hit in store.search(account, vector, text, 10, mode=mode)]


def test_accounts_never_share_results(store):
    # Both accounts use chunk ids 1 and 2; each must only ever see its own texts.
    assert search_ids(store, 1, "alpha") == [1, 2] or search_ids(store, 1, "alpha") == [2, 1]
    assert search_ids(store, 1, "beta") == []
    assert search_ids(store, "shop-2", "alpha") == []
    store.remove(1, [1])
    assert search_ids(store, "shop-2", "refund") == [1]
    assert search_ids(store, 1, "refund") == []


def test_add_remove_and_hybrid_search(store):
    vector = unit_vectors(1, DIMENSION, seed=9)
    store.add(1, [7], ["alpha delivery to Lisbon"], vector)
    hits = store.search(1, vector[0], "lisbon", 3)
    assert hits[0].chunk_id == 7
    assert hits[0].semantic_score == pytest.approx(1.0, abs=1e-5)
    assert store.remove(1, [7, 8]) == 1
    assert 7 not in search_ids(store, 1, "lisbon", vector[0], mode="hybrid")


def test_saved_indexes_load_lazily_in_a_new_process(store, tmp_path):
    store.add(1, [3], ["alpha gift cards"], unit_vectors(1, DIMENSION, seed=3))
    store.save(1)
    fresh = AccountIndexes(tmp_path, DIMENSION, model_name="test-model")
    assert not fresh.needs_rebuild(1)
    assert fresh.count(1) == 3
    assert search_ids(fresh, 1, "gift") == [3]


def test_unknown_account_needs_a_rebuild(tmp_path):
    store = AccountIndexes(tmp_path, DIMENSION)
    assert store.needs_rebuild(42)
    with pytest.raises(IndexNeedsRebuild, match="no saved index"):
        store.search(42, np.zeros(DIMENSION, np.float32), "x", 3)
    assert store.rebuild(42, []) == 0
    assert store.search(42, np.zeros(DIMENSION, np.float32), "x", 3) == []


@pytest.mark.parametrize("damaged", [VECTOR_FILE, KEYWORD_FILE, MANIFEST_NAME])
def test_damaged_file_asks_for_a_rebuild(store, tmp_path, damaged):
    path = store.directory(1) / damaged
    path.write_bytes(path.read_bytes()[:20])
    fresh = AccountIndexes(tmp_path, DIMENSION, model_name="test-model")
    assert fresh.needs_rebuild(1)
    assert not fresh.needs_rebuild("shop-2")
    with pytest.raises(IndexNeedsRebuild):
        fresh.add(1, [5], ["text"], unit_vectors(1, DIMENSION))
    fresh.rebuild(1, items(["alpha restored"]))
    assert search_ids(AccountIndexes(tmp_path, DIMENSION, model_name="test-model"), 1, "restored") == [1]


def test_files_from_different_saves_ask_for_a_rebuild(store, tmp_path):
    directory = store.directory(1)
    old_keyword = (directory / KEYWORD_FILE).read_bytes()
    store.add(1, [9], ["alpha new chunk"], unit_vectors(1, DIMENSION))
    store.save(1)
    (directory / KEYWORD_FILE).write_bytes(old_keyword)  # as if a crash hit between the two files
    assert AccountIndexes(tmp_path, DIMENSION, model_name="test-model").needs_rebuild(1)


def test_another_model_or_dimension_asks_for_a_rebuild(store, tmp_path):
    assert AccountIndexes(tmp_path, DIMENSION, model_name="other-model").needs_rebuild(1)
    assert AccountIndexes(tmp_path, 32, model_name="test-model").needs_rebuild(1)
    manifest = json.loads((store.directory(1) / MANIFEST_NAME).read_text())
    assert manifest["count"] == 2 and manifest["model"] == "test-model"


def test_drop_deletes_files_and_memory(store):
    directory = store.directory(1)
    store.drop(1)
    assert not directory.exists()
    assert store.needs_rebuild(1)
    assert not store.needs_rebuild("shop-2")


@pytest.mark.parametrize("account", ["../etc", "a/b", "", "x" * 65])
def test_unsafe_account_ids_are_rejected(store, account):
    with pytest.raises(ValueError):
        store.needs_rebuild(account)
