"""The bundled sentence-transformers model exported to ONNX and quantised to int8, once, into an on-disk cache.

The cache folder is named by a hash of the model's files and of the export recipe, so every process and test run on
a machine shares one export, and a changed model or recipe never loads a stale one. Exporting takes torch and the
`onnx` package; running the result takes only onnxruntime (ingest/onnx_embedder.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path

logger = logging.getLogger("replybase.embedders")

# Bump when the export or quantisation below changes: caches made by the old recipe are then left alone.
RECIPE = "torchscript-opset17-bert-fused-dynamic-int8-per-channel-ffn-out-fp32-v1"
MODEL_FILE = "model-int8.onnx"


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/replybase/onnx, else ~/.cache/replybase/onnx."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "replybase" / "onnx"


def model_digest(model_dir: str | Path) -> str:
    """SHA-256 over the recipe and every file of the model directory (names and contents)."""
    root = Path(model_dir)
    digest = hashlib.sha256(RECIPE.encode())
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\x00")
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def cache_path(model_dir: str | Path, cache_dir: Path | None = None) -> Path:
    """Where the int8 file of this model and recipe lives (or will) in the cache."""
    return (cache_dir or default_cache_dir()) / model_digest(model_dir)[:24] / MODEL_FILE


def cached_int8_model(model_dir: str | Path, cache_dir: Path | None = None) -> Path:
    """The int8 ONNX file of this model, exported now if no process has done it yet.

    Two processes racing: the second waits on the folder's lock for the first's export instead of repeating it,
    and the file appears by an atomic rename only once it is complete, so a reader never sees half of one.
    """
    target = cache_path(model_dir, cache_dir)
    folder = target.parent
    if target.is_file():
        return target
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".lock", "w")
    except OSError as exc:
        raise OSError(f"cannot write the int8 model cache {folder} ({exc.strerror}); point REPLYBASE_MODEL_CACHE_DIR "
                      "at a writable folder, or use REPLYBASE_EMBEDDING_PRECISION=fp32") from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.is_file():
            started = time.perf_counter()
            logger.info("exporting %s to int8 ONNX in %s (once per model and machine)", model_dir, folder)
            export_int8(Path(model_dir), target)
            logger.info("int8 ONNX export done in %.1f s", time.perf_counter() - started)
    return target


def export_int8(model_dir: Path, target: Path, *, per_channel: bool = True, keep_ffn_output_fp32: bool = True,
                weight_type: str = "int8") -> None:
    """Export the model's transformer (token embeddings out; pooling stays in Python) and quantise its weights.

    The defaults are the shipped recipe, which RECIPE names: change both together, or the cache serves an old
    export. bench/int8_recipe.py compares the options."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as work:
        fused, int8 = Path(work) / "fused.onnx", Path(work) / "int8.onnx"
        export_fused_fp32(model_dir, fused)
        quantise_int8(fused, int8, per_channel=per_channel, keep_ffn_output_fp32=keep_ffn_output_fp32,
                      weight_type=weight_type)
        os.replace(int8, target)


def export_fused_fp32(model_dir: Path, target: Path) -> None:
    """The transformer as fp32 ONNX, its attention and layer norms fused by onnxruntime's BERT optimizer."""
    import torch
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoConfig, AutoModel

    class TokenEmbeddings(torch.nn.Module):
        """The transformer's last hidden state only (no pooler output)."""

        def __init__(self, transformer) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    config = AutoConfig.from_pretrained(model_dir, local_files_only=True)
    # Eager attention exports as plain MatMul/Softmax, the pattern onnxruntime's BERT optimizer fuses.
    model = TokenEmbeddings(AutoModel.from_pretrained(model_dir, local_files_only=True,
                                                      attn_implementation="eager")).eval()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as work:
        fp32 = Path(work) / "fp32.onnx"
        # A padded sample: a mask of all ones could let the tracer drop the attention mask as a no-op.
        ids = torch.tensor([[101, 7592, 2088, 2003, 102], [101, 7592, 102, 0, 0]])
        mask = (ids != 0).to(torch.int64)
        with torch.inference_mode():
            torch.onnx.export(
                model, (ids, mask, torch.zeros_like(ids)), str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["token_embeddings"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in
                              ("input_ids", "attention_mask", "token_type_ids", "token_embeddings")},
                opset_version=17, dynamo=False)
        optimized = optimize_model(str(fp32), model_type="bert", num_heads=config.num_attention_heads,
                                   hidden_size=config.hidden_size)
        optimized.save_model_to_file(str(target))


def quantise_int8(fused: Path, target: Path, *, per_channel: bool, keep_ffn_output_fp32: bool,
                  weight_type: str) -> None:
    """Dynamic quantisation of a fused model's weights: int8 or uint8, one scale per tensor or per output channel,
    optionally leaving each layer's feed-forward output MatMul in fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Shipped: int8 per channel with each layer's feed-forward output MatMul in fp32. bench/int8_recipe.py, 64 SciFact
    # abstracts and 64 claims (2026-12-03, load 5-7): worst cosine to the fp32 model 0.894 per tensor, 0.986 per
    # channel, 0.990 shipped; one query 2.9-3.6x less CPU than fp32 torch over three runs (3.7-4.7x per channel).
    # uint8 weights with the same exclusions did better on this AVX2 CPU (0.995 worst, 2.8-3.4x): bench/README.md.
    ffn_out = [node.name for node in onnx.load(str(fused), load_external_data=False).graph.node
               if node.op_type == "MatMul" and "/output/dense/" in node.name and "/attention/" not in node.name]
    # The fused ops are onnxruntime's own (com.microsoft), which ONNX shape inference cannot type: say float.
    quantize_dynamic(fused, target, weight_type={"int8": QuantType.QInt8, "uint8": QuantType.QUInt8}[weight_type],
                     per_channel=per_channel, nodes_to_exclude=ffn_out if keep_ffn_output_fp32 else [],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
