"""The bundled MiniLM as an int8 ONNX model run by onnxruntime: the same tokenizer, mean pooling and normalisation
as sentence-transformers, without torch at run time."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.embedders import BUNDLED_MODEL, resolve_model_path
from ingest.onnx_export import cached_int8_model


@dataclass
class _Runtime:
    session: object  # onnxruntime.InferenceSession, for batches: its own pool of `threads` threads
    query_session: object  # the same model for one text, run in the calling thread
    tokenizer: object  # tokenizers.Tokenizer: truncates at max_tokens, pads to the batch's longest text
    counter: object  # the same tokenizer without truncation or padding, for count_tokens
    max_tokens: int
    dimension: int


_runtimes: dict[tuple, _Runtime] = {}
_runtimes_lock = threading.Lock()


def default_threads() -> int:
    """The thread count torch would use here: torch's own setting when torch is loaded, else OMP_NUM_THREADS,
    else every core this process may run on."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return int(torch.get_num_threads())
    if os.environ.get("OMP_NUM_THREADS", "").isdigit():
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _pooling_is_mean(model_dir: Path) -> bool:
    """True when the model's sentence-transformers pooling is plain mean pooling (all this embedder implements)."""
    modules = json.loads((model_dir / "modules.json").read_text())
    pooling = [m for m in modules if m["type"].endswith("Pooling")]
    if len(pooling) != 1:
        return False
    config = json.loads((model_dir / pooling[0]["path"] / "config.json").read_text())
    modes = {key for key, value in config.items() if key.startswith("pooling_mode") and value is True}
    return modes == {"pooling_mode_mean_tokens"} or config.get("pooling_mode") == "mean"


def _load_runtime(model_dir: Path, cache_dir: Path | None, threads: int, niceness: int) -> _Runtime:
    # One runtime per model, cache, thread count and priority per process: a session holds the weights and its pool.
    key = (str(model_dir), str(cache_dir), threads, niceness)
    with _runtimes_lock:
        if key not in _runtimes:
            if not _pooling_is_mean(model_dir):
                raise ValueError(f"the int8 embedder supports mean-pooling sentence-transformers models only, and "
                                 f"{model_dir} pools otherwise; set REPLYBASE_EMBEDDING_PRECISION=fp32")
            _runtimes[key] = _build_runtime(model_dir, cache_dir, threads, niceness)
        return _runtimes[key]


def _built_at_niceness(niceness: int, build):
    """`build()` run in a thread of that niceness: Linux gives each thread its own, and a thread inherits its
    creator's, so the pool threads a session starts there keep it for good."""
    if not niceness or not hasattr(os, "setpriority"):
        return build()
    outcome: dict = {}

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
            outcome["built"] = build()
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="replybase-onnx-pool")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["built"]


def _build_runtime(model_dir: Path, cache_dir: Path | None, threads: int, niceness: int) -> _Runtime:
    import onnxruntime
    from tokenizers import Tokenizer

    model_file = str(cached_int8_model(model_dir, cache_dir))

    def session_with(threads: int):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: the cores are shared with requests and other workers.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.enable_mem_pattern = False  # every batch has its own shape
        return onnxruntime.InferenceSession(model_file, options, providers=["CPUExecutionProvider"])

    # A question embedded for a reply must not wait for the pool an ingestion batch is using (concurrent runs of one
    # session share its threads): one text runs in its caller's thread, on a session of its own.
    session, query_session = _built_at_niceness(niceness, lambda: session_with(threads)), session_with(1)
    max_tokens = int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    # tokenizer.json carries its own truncation (128) and fixed padding; sentence-transformers overrides both.
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_tokens)
    padding = tokenizer.padding
    tokenizer.enable_padding(pad_id=padding["pad_id"], pad_type_id=padding["pad_type_id"],
                             pad_token=padding["pad_token"])
    counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    counter.no_truncation()
    counter.no_padding()
    dimension = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])
    return _Runtime(session, query_session, tokenizer, counter, max_tokens, dimension)


class OnnxInt8Embedder:
    """A sentence-transformers model (the bundled MiniLM by default) run as int8 ONNX on the CPU.

    Its vectors agree with the fp32 model's to a cosine above 0.99, but they are not the same vectors, so `name` says
    the precision: vectors stored under the fp32 name are never reused for this one, nor the other way round.
    """

    precision = "int8"

    def __init__(self, model: str = BUNDLED_MODEL, *, batch_size: int = 32, cache_dir: Path | None = None,
                 threads: int | None = None, niceness: int = 0) -> None:
        self.name = f"{model}@int8"
        self.batch_size = batch_size
        self._path = Path(resolve_model_path(model))
        self._cache_dir = cache_dir
        self._threads = threads
        # Above 0 (Linux), batches run at that lower priority: background work that leaves busy cores to the rest.
        self._niceness = niceness
        self._runtime: _Runtime | None = None

    def warm_up(self) -> None:
        """Load the cached int8 model (exporting it first if this machine has none): seconds, once per process."""
        if self._runtime is None:
            self._runtime = _load_runtime(self._path, self._cache_dir, self._threads or default_threads(),
                                          self._niceness)

    @property
    def runtime(self) -> _Runtime:
        self.warm_up()
        return self._runtime

    @property
    def dimension(self) -> int:
        return self.runtime.dimension

    @property
    def max_tokens(self) -> int:
        return self.runtime.max_tokens

    def count_tokens(self, text: str) -> int:
        # Word pieces including [CLS] and [SEP], the same count the model truncates at.
        return len(self.runtime.counter.encode(text, add_special_tokens=True).ids)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        runtime = self.runtime
        if not texts:
            return np.zeros((0, runtime.dimension), dtype=np.float32)
        # Longest first, as sentence-transformers batches: texts of similar length share a batch, so little padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), runtime.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            out[rows] = self._forward(runtime, [texts[i] for i in rows])
        return out

    @staticmethod
    def _forward(runtime: _Runtime, texts: list[str]) -> np.ndarray:
        encodings = runtime.tokenizer.encode_batch(texts)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64), "attention_mask": mask,
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64)}
        session = runtime.query_session if len(texts) == 1 else runtime.session
        tokens = session.run(["token_embeddings"], feed)[0]
        # sentence-transformers' Pooling (mean) and Normalize: masked mean, then x / max(||x||, 1e-12).
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
