"""The int8 ONNX MiniLM: the fp32 model's vectors and token counts, one export per machine, picked by a setting."""

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from app.config import Settings
from ingest import onnx_export
from ingest.embedders import SentenceTransformerEmbedder, build_embedder, resolve_model_path
from ingest.onnx_embedder import OnnxInt8Embedder

SENTENCES = [
    "How much is a puncture repair?",
    "We open at nine on weekdays and at eleven on Sunday.",
    "Bikes bought here get a free first service within six weeks, parts not included.",
    "Kann ich mein Fahrrad am Samstag abholen?",
    # Longer than the model reads: both cut it at 256 word pieces.
    "The warranty covers the frame for five years and the components for two. " * 30,
]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_int8_vectors_agree_with_fp32_one_at_a_time_and_in_a_batch(minilm, minilm_int8):
    fp32 = minilm.embed(SENTENCES)
    batch = minilm_int8.embed(SENTENCES)
    single = np.vstack([minilm_int8.embed([text]) for text in SENTENCES])
    assert batch.shape == fp32.shape == (len(SENTENCES), 384) and batch.dtype == np.float32
    assert cosines(batch, fp32).min() > 0.99
    # Not bit-identical: dynamic quantisation scales activations per batch, so a text's batch-mates move its vector
    # slightly (0.993 at worst here), as close as fp32 is.
    assert cosines(batch, single).min() > 0.99 and cosines(single, fp32).min() > 0.99
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    # A one-word message is where int8 strays furthest from fp32 (0.979 measured for "ok"): three word pieces, so
    # no averaging over tokens evens out the rounding.
    assert cosines(minilm_int8.embed(["ok"]), minilm.embed(["ok"]))[0] > 0.97
    # An int8 query finds the same text among fp32 vectors (an index built before a switch still answers).
    assert list((batch @ fp32.T).argmax(axis=1)) == list(range(len(SENTENCES)))


def test_int8_counts_tokens_like_the_fp32_model(minilm, minilm_int8):
    assert minilm_int8.max_tokens == minilm.max_tokens == 256
    assert minilm_int8.dimension == minilm.dimension
    for text in SENTENCES:
        assert minilm_int8.count_tokens(text) == minilm.count_tokens(text)
    assert minilm_int8.count_tokens(SENTENCES[-1]) > 256  # counted whole, not cut
    assert minilm_int8.embed([]).shape == (0, 384)


def test_the_name_says_the_precision(minilm, minilm_int8):
    assert minilm_int8.name == "all-MiniLM-L6-v2@int8" and minilm_int8.precision == "int8"
    # fp32 keeps the name vectors were stored under before int8 existed, so they are still reused.
    assert minilm.name == "all-MiniLM-L6-v2" and minilm.precision == "fp32"


def test_the_export_is_cached_and_reused(minilm_int8, monkeypatch):
    model_dir = resolve_model_path("all-MiniLM-L6-v2")
    cached = onnx_export.cached_int8_model(model_dir)  # the file minilm_int8 loaded
    before = cached.stat().st_mtime_ns

    def no_export(*_args):
        raise AssertionError("exported again although the cache holds this model")

    monkeypatch.setattr(onnx_export, "export_int8", no_export)
    assert onnx_export.cached_int8_model(model_dir) == cached
    other = OnnxInt8Embedder(threads=1)  # a new session (another thread count) from the same file
    assert np.allclose(other.embed(SENTENCES[:2]), minilm_int8.embed(SENTENCES[:2]), atol=1e-4)
    assert cached.stat().st_mtime_ns == before
    assert cached.parent.name == onnx_export.model_digest(model_dir)[:24]


def test_a_changed_model_file_changes_the_cache_key(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    first = onnx_export.model_digest(tmp_path)
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    assert onnx_export.model_digest(tmp_path) != first


def test_racing_loaders_export_once(tmp_path, monkeypatch):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    calls, seen = [], []

    def fake_export(_model_dir, target):
        # As the real export: written aside, then renamed into place, so the file never exists half-written.
        calls.append(target)
        partial = target.with_suffix(".partial")
        partial.write_bytes(b"complete model")
        os.replace(partial, target)

    monkeypatch.setattr(onnx_export, "export_int8", fake_export)

    def load():
        path = onnx_export.cached_int8_model(tmp_path / "model", tmp_path / "cache")
        seen.append(path.read_bytes())

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and seen == [b"complete model"] * 4


def test_the_precision_setting_picks_the_embedder(tmp_path):
    assert isinstance(build_embedder("sentence-transformers", precision="int8"), OnnxInt8Embedder)
    assert isinstance(build_embedder("sentence-transformers", precision="fp32"), SentenceTransformerEmbedder)
    assert Settings(_env_file=None, data_dir=tmp_path, embedding_precision="INT8").embedding_precision == "int8"
    with pytest.raises(ValueError, match="embedding_precision"):
        Settings(_env_file=None, data_dir=tmp_path, embedding_precision="int4")
    with pytest.raises(ValueError, match="use int8 or fp32"):
        build_embedder("sentence-transformers", precision="fp16")


def test_an_unwritable_cache_says_what_to_set(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(OSError, match="REPLYBASE_MODEL_CACHE_DIR"):
        onnx_export.cached_int8_model(tmp_path / "model", blocker)


def _thread_niceness() -> dict[int, int]:
    """Every thread of this process and its niceness, as Linux keeps it per thread (/proc/self/task/*/stat)."""
    niceness = {}
    for task in Path("/proc/self/task").iterdir():
        fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        niceness[int(task.name)] = int(fields[16])
    return niceness


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="per-thread niceness is read from Linux's /proc")
def test_background_batches_run_on_threads_of_lower_priority(minilm_int8):
    before = _thread_niceness()
    # Three threads: a runtime no other test has built (the app's ingestion copy uses this machine's default), so
    # its pool starts here.
    background = OnnxInt8Embedder(threads=3, niceness=10)
    assert np.allclose(background.embed(SENTENCES[:3]), minilm_int8.embed(SENTENCES[:3]), atol=1e-4)
    pool = {tid: nice for tid, nice in _thread_niceness().items() if tid not in before}
    # Its compute pool was started at niceness 10 and stays there; this (the caller's) thread is not touched.
    assert pool and set(pool.values()) == {10}
    assert _thread_niceness()[threading.get_native_id()] == before[threading.get_native_id()]
