"""Fixtures for the index tests."""

import numpy as np
import pytest

from tests.indexes.random_vectors import unit_vectors


@pytest.fixture
def vectors() -> np.ndarray:
    """400 random 16-dimensional unit vectors."""
    return unit_vectors(400)
