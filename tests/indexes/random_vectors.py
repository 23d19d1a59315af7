"""Random unit vectors for index tests, so no model is needed."""

import numpy as np


def unit_vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    """`count` random L2-normalised float32 vectors."""
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
