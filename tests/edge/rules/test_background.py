"""The clutter rule's learned empty corridor."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.rules.background import _median_frame


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    frames=st.integers(3, 9),
    rows=st.integers(1, 40),
    chunk=st.integers(1, 17),
)
def test_chunked_median_equals_the_whole_stack_median(seed: int, frames: int, rows: int, chunk: int) -> None:
    rng = np.random.default_rng(seed)
    stack = [rng.integers(0, 256, (rows, 11, 3), dtype=np.uint8) for _ in range(frames)]
    got = _median_frame(stack, rows_per_chunk=chunk)
    assert got.dtype == np.float32
    assert np.array_equal(got, np.median(np.stack(stack), axis=0).astype(np.float32))
