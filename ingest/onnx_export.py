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


def cached_int8_model(model_dir: str | Path, cache_dir: Path | None = None) -> Path:
    """The int8 ONNX file of this model, exported now if no process has done it yet.

    Two processes racing: the second waits on the folder's lock for the first's export instead of repeating it,
    and the file appears by an atomic rename only once it is complete, so a reader never sees half of one.
    """
    folder = (cache_dir or default_cache_dir()) / model_digest(model_dir)[:24]
    target = folder / MODEL_FILE
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


def export_int8(model_dir: Path, target: Path) -> None:
    """Export the model's transformer (token embeddings out; pooling stays in Python) and quantise its weights."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
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
        fp32, fused, int8 = (Path(work) / name for name in ("fp32.onnx", "fused.onnx", "int8.onnx"))
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
        optimized.save_model_to_file(str(fused))
        # Per-channel scales, and each layer's feed-forward output projection left in fp32: in a side trial on 64
        # SciFact abstracts and 64 claims, per-tensor int8 gave a cosine to the fp32 model of 0.946 on average
        # (0.903 at worst), per-channel 0.994 (0.989), and per-channel with these six MatMuls in fp32 0.997 (0.994)
        # for about 15 % more time per query (bench/README.md, "int8 encoder").
        ffn_out = [node.name for node in onnx.load(str(fused), load_external_data=False).graph.node
                   if node.op_type == "MatMul" and "/output/dense/" in node.name and "/attention/" not in node.name]
        # The fused ops are onnxruntime's own (com.microsoft), which ONNX shape inference cannot type: say float.
        quantize_dynamic(fused, int8, weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=ffn_out,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(int8, target)
