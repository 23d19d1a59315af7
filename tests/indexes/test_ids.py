import numpy as np

from indexes.ids import IdPositions, as_id_array
from indexes.ranking import top_k


def test_positions_of_skips_absent_ids():
    lookup = IdPositions(np.array([40, 10, 30], dtype=np.int64), np.array([0, 1, 2]))
    assert sorted(lookup.positions_of({10, 30, 99, -5}).tolist()) == [1, 2]
    assert lookup.positions_of(set()).tolist() == []
    assert IdPositions(np.empty(0, np.int64), np.empty(0, np.int64)).positions_of({1}).tolist() == []


def test_as_id_array_accepts_sets_lists_and_arrays():
    assert sorted(as_id_array({3, 1}).tolist()) == [1, 3]
    assert as_id_array([5, 6]).dtype == np.int64
    assert as_id_array(np.array([7], dtype=np.int32)).dtype == np.int64


def test_top_k_orders_by_score_then_id():
    ids = np.array([5, 3, 9, 1])
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    assert top_k(ids, scores, 3) == [(3, 0.9), (5, 0.5), (9, 0.5)]
    assert top_k(ids, scores, 0) == []
    assert len(top_k(ids, scores, 10)) == 4
