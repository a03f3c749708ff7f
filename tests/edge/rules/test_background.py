"""The clutter rule's learned empty corridor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.rules.background import EmptyBackground, _median_frame


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


FLOOR = (95.0, 110.0, 120.0)
SPOT = (slice(10, 20), slice(10, 20))


def _shows(spot: tuple[float, float, float]) -> np.ndarray:
    image = np.full((40, 60, 3), FLOOR, np.float32)
    image[SPOT] = spot
    return image


@pytest.mark.parametrize("people_known", [True, False])
def test_a_ghost_is_taken_from_the_floor_not_from_a_person_standing_on_it(people_known: bool) -> None:
    """A crowd stood on the spot while the background was learned (a ghost there); people keep passing
    until 12 s, when someone stands still on it until 16 s; then the floor shows. Knowing people, the
    ghost is replaced by the floor; not knowing them, by the person's shirt, and the floor differs for
    good (it made anchors that joined two items into one in clip 183-0)."""
    crowd, passers, shirt = (
        (40.0, 40.0, 60.0),
        ((200.0, 60.0, 60.0), (60.0, 200.0, 60.0)),
        (240.0, 240.0, 240.0),
    )
    background = EmptyBackground(np.ones((40, 60), np.uint8))
    person = np.zeros((40, 60), bool)
    person[5:25, 8:22] = True
    t, fg = 0.0, None
    while t <= 22.0:
        if t < 6.5:
            image, over = _shows(crowd), None
        elif t < 12.0:
            image, over = _shows(passers[round(t / 0.2) % 2]), person
        elif t < 16.0:
            image, over = _shows(shirt), person
        else:
            image, over = _shows(FLOOR), None
        fg = background.update(image, t, over if people_known else None)
        t = round(t + 0.2, 3)
    assert fg is not None
    assert fg.differs[SPOT].any() != people_known


def test_pixels_compared_again_replace_the_first_look_and_carry_their_hysteresis() -> None:
    """A spot first seen brighter (a person's colour blurred into it) is compared again with its own
    colour: it no longer differs, the rest of the frame is as ``update`` left it, and the next frame's
    hysteresis starts from the corrected state."""
    background = EmptyBackground(np.ones((40, 60), np.uint8))
    for i in range(8):
        assert background.update(_shows(FLOOR), float(i)) is None or i >= 6
    fg = background.update(_shows((200.0, 200.0, 200.0)), 8.0)
    assert fg is not None and fg.differs[SPOT].all() and fg.differs.sum() == 100
    region = np.zeros((40, 60), bool)
    region[10:20, 10:15] = True  # the left half of the spot, seen again as floor
    again = background.compare_again(fg, region, _shows(FLOOR), 8.0)
    assert not again.differs[region].any() and again.differs[10:20, 15:20].all()
    assert np.allclose(again.image[region], FLOOR, atol=1.0) and again.diff[region].max() < 1.0
    assert fg.differs[region].all()  # the first look is left as it was
    # 15 grey levels brighter: under ``threshold`` (18) for a pixel that no longer differs, over
    # ``keep_threshold`` (12) for one that still does
    following = background.update(_shows(tuple(v + 15.0 for v in FLOOR)), 8.2)
    assert following is not None
    assert not following.differs[region].any() and following.differs[10:20, 15:20].all()
