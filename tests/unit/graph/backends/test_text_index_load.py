"""Loading the text index reorders the vector matrix in place, as ``matrix[order]`` would."""

from __future__ import annotations

import numpy as np
import pytest

from graph.backends.text_index import _permute_rows


@pytest.mark.parametrize("size", [0, 1, 2, 7, 1000])
def test_rows_are_permuted_in_place_like_fancy_indexing(size: int) -> None:
    rng = np.random.default_rng(size)
    matrix = rng.random((size, 4), dtype=np.float32)
    order = rng.permutation(size)
    order[: size // 3] = np.arange(size // 3)  # some rows stay where they are
    order[size // 3 :] = size // 3 + rng.permutation(size - size // 3)
    want = matrix[order]
    got = _permute_rows(matrix, order)
    assert got is matrix  # no second matrix
    np.testing.assert_array_equal(got, want)
