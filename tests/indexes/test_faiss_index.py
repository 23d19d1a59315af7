import threading
import time

import numpy as np
import pytest
from tests.indexes.random_vectors import unit_vectors

from indexes import faiss_stores
from indexes.base import IndexCorrupt, VectorIndex
from indexes.faiss_index import FILE_NAME, FaissVectorIndex

IDS = list(range(1000, 1400))


def make_index(vectors: np.ndarray, mode: str) -> FaissVectorIndex:
    # A threshold below the size forces the HNSW path.
    index = FaissVectorIndex(vectors.shape[1], hnsw_threshold=100 if mode == "hnsw" else 50_000)
    index.add(IDS, vectors)
    assert index.mode == mode
    return index


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int, allowed: set[int] | None = None) -> list[int]:
    scores = {chunk_id: float(vectors[row] @ query) for row, chunk_id in enumerate(IDS)
              if allowed is None or chunk_id in allowed}
    return sorted(scores, key=lambda chunk_id: -scores[chunk_id])[:k]


def test_implements_protocol():
    assert isinstance(FaissVectorIndex(8), VectorIndex)


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_ids_stay_stable_across_removes(vectors, mode):
    index = make_index(vectors, mode)
    index.remove(IDS[:150])
    chunk_id, score = index.search(vectors[300], 1)[0]
    assert chunk_id == IDS[300]
    assert score == pytest.approx(1.0, abs=1e-5)
    assert len(index) == 250
    assert index.ids() == set(IDS[150:])


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_removed_ids_leave_results_at_once(vectors, mode):
    index = make_index(vectors, mode)
    assert index.search(vectors[7], 1)[0][0] == IDS[7]
    assert index.remove([IDS[7], 99_999]) == 1
    hits = index.search(vectors[7], 400)
    assert IDS[7] not in {chunk_id for chunk_id, _ in hits}
    assert len(hits) == 399


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_re_adding_an_id_replaces_its_vector(vectors, mode):
    index = make_index(vectors, mode)
    index.add([IDS[0]], vectors[1:2])
    assert len(index) == 400
    assert index.scores(vectors[1], [IDS[0]])[IDS[0]] == pytest.approx(1.0, abs=1e-5)
    assert [chunk_id for chunk_id, _ in index.search(vectors[0], 2)] != [IDS[0]]


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_filtered_search_still_returns_k_hits(vectors, mode):
    index = make_index(vectors, mode)
    allowed = set(IDS[::37]) | {5}  # 5 is not indexed
    hits = index.search(vectors[0], 5, allowed_ids=allowed)
    assert [chunk_id for chunk_id, _ in hits] == brute_force(vectors, vectors[0], 5, allowed)
    assert len(index.search(vectors[0], 50, allowed_ids=allowed)) == len(allowed) - 1
    assert index.search(vectors[0], 5, allowed_ids=set()) == []


def test_filtered_hnsw_graph_search_falls_back_to_k_hits(vectors, monkeypatch):
    monkeypatch.setattr(faiss_stores, "EXACT_SCAN_LIMIT", 0)  # force the graph walk with a selector
    index = make_index(vectors, "hnsw")
    allowed = set(IDS[::3])
    hits = index.search(vectors[1], 10, allowed_ids=allowed)
    assert len(hits) == 10
    assert {chunk_id for chunk_id, _ in hits} <= allowed


def test_hnsw_finds_the_same_neighbours_as_exact_search(vectors):
    index = make_index(vectors, "hnsw")
    queries = unit_vectors(20, seed=1)
    overlap = [len(set(chunk_id for chunk_id, _ in index.search(query, 10)) & set(brute_force(vectors, query, 10)))
               for query in queries]
    assert np.mean(overlap) >= 9.5


def test_hnsw_rebuilds_once_tombstones_pile_up(vectors):
    index = make_index(vectors, "hnsw")
    index.remove(IDS[:50])
    assert index._store.dead_count == 50
    index.remove(IDS[50:120])  # 120 of 400 dead > 25 %
    assert index._store.dead_count == 0
    assert index.ids() == set(IDS[120:])


def test_crossing_the_threshold_switches_to_hnsw_and_back(vectors):
    index = FaissVectorIndex(16, hnsw_threshold=100)
    index.add(IDS[:100], vectors[:100])
    assert index.mode == "flat"
    index.add(IDS[100:], vectors[100:])
    assert index.mode == "hnsw"
    index.remove(IDS[:380])
    assert index.mode == "flat"
    assert index.ids() == set(IDS[380:])


@pytest.mark.parametrize("mode", ["flat", "hnsw"])
def test_save_and_load_round_trip(vectors, mode, tmp_path):
    index = make_index(vectors, mode)
    index.remove(IDS[:10])
    index.save(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [FILE_NAME]  # no temp file left behind
    loaded = FaissVectorIndex(16, hnsw_threshold=index.hnsw_threshold)
    loaded.load(tmp_path)
    assert loaded.mode == mode
    assert loaded.ids() == index.ids()
    assert loaded.search(vectors[42], 5) == index.search(vectors[42], 5)


def test_load_raises_index_corrupt_on_damaged_missing_or_foreign_files(vectors, tmp_path):
    index = FaissVectorIndex(16)
    with pytest.raises(IndexCorrupt, match="missing"):
        index.load(tmp_path)
    make_index(vectors, "flat").save(tmp_path)
    with pytest.raises(IndexCorrupt):
        FaissVectorIndex(32).load(tmp_path)
    path = tmp_path / FILE_NAME
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(IndexCorrupt):
        index.load(tmp_path)
    path.write_bytes(bytes(data[: len(data) // 3]))
    with pytest.raises(IndexCorrupt):
        index.load(tmp_path)


def test_dimension_mismatch_is_rejected():
    index = FaissVectorIndex(16)
    with pytest.raises(ValueError):
        index.add([1], unit_vectors(1, dimension=8))
    with pytest.raises(ValueError):
        index.search(unit_vectors(1, dimension=8)[0], 1)


@pytest.mark.parametrize("threshold", [50_000, 300])
def test_concurrent_add_remove_search_never_returns_a_removed_id(threshold):
    vectors = unit_vectors(1200)
    index = FaissVectorIndex(16, hnsw_threshold=threshold)
    index.add(list(range(600)), vectors[:600])
    removed: set[int] = set()
    errors: list[BaseException] = []
    searches: list[int] = []
    done = threading.Event()

    def let_searches_run():
        # However fast the writers are on this machine, searches happen between their steps.
        wanted, deadline = len(searches) + 1, time.monotonic() + 10
        while len(searches) < wanted and not errors and time.monotonic() < deadline:
            time.sleep(0.001)

    def remover():
        for chunk_id in range(0, 600, 2):
            index.remove([chunk_id])
            removed.add(chunk_id)
            if chunk_id % 50 == 0:
                let_searches_run()

    def adder():
        for start in range(600, 1200, 50):
            index.add(list(range(start, start + 50)), vectors[start:start + 50])
            let_searches_run()

    def searcher(seed):
        rng = np.random.default_rng(seed)
        while not done.is_set():
            already_removed = set(removed)
            row = int(rng.integers(0, 600))
            hits = index.search(vectors[row], 10)
            filtered = index.search(vectors[row], 5, allowed_ids=set(range(0, 1200, 3)))
            leaked = {chunk_id for chunk_id, _ in hits + filtered} & already_removed
            assert not leaked, f"removed ids returned: {leaked}"
            searches.append(1)

    def guard(target, *args):
        try:
            target(*args)
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)

    searchers = [threading.Thread(target=guard, args=(searcher, seed)) for seed in range(3)]
    writers = [threading.Thread(target=guard, args=(remover,)), threading.Thread(target=guard, args=(adder,))]
    for thread in searchers + writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in searchers:
        thread.join()
    assert not errors, errors
    assert len(searches) > 10  # the searchers really ran beside the writers
    assert index.ids() == set(range(1, 600, 2)) | set(range(600, 1200))
    assert not {chunk_id for chunk_id, _ in index.search(vectors[0], 1200)} & removed
