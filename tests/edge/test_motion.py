"""Motion gate: only motion inside zones (minus masks) or a due stationary check runs the detector."""

from __future__ import annotations

import numpy as np
import pytest

from edge.motion import GateReason, MotionGate
from edge.zonemask import Polygon

ZONE: list[Polygon] = [[[0, 0], [320, 0], [320, 240], [0, 240]]]
LEFT_HALF: list[Polygon] = [[[0, 0], [160, 0], [160, 240], [0, 240]]]


def scene(box_x: int | None) -> np.ndarray:
    frame = np.full((240, 320, 3), 100, np.uint8)
    if box_x is not None:
        frame[100:160, box_x : box_x + 40] = 230
    return frame


@pytest.mark.parametrize(
    ("masks", "box_positions", "expected"),
    [
        pytest.param([], [None] * 6, [GateReason.WARMUP] + [GateReason.IDLE] * 5, id="still-scene-idle"),
        pytest.param(
            [],
            [None, None, 20, 60, 100],
            [GateReason.WARMUP, GateReason.IDLE] + [GateReason.MOTION] * 3,
            id="moving-box",
        ),
        pytest.param(
            LEFT_HALF,
            [None, None, 20, 40, 60],
            [GateReason.WARMUP] + [GateReason.IDLE] * 4,
            id="masked-motion-ignored",
        ),
    ],
)
def test_gate_reasons(
    masks: list[Polygon], box_positions: list[int | None], expected: list[GateReason]
) -> None:
    gate = MotionGate(zones=ZONE, masks=masks, stationary_every_s=100)
    got = [gate.check(scene(x), i * 0.2).reason for i, x in enumerate(box_positions)]
    assert got == expected


def test_stationary_check_is_periodic_and_savings_are_reported() -> None:
    gate = MotionGate(zones=ZONE, stationary_every_s=2.0)
    runs = [gate.check(scene(None), i * 0.2).run_detector for i in range(50)]  # 10 s of a still scene
    assert sum(runs) == 5  # warm-up at 0 s, then checks at 2, 4, 6, 8 s
    assert gate.stats.frames == 50
    assert gate.stats.saved_fraction == pytest.approx(0.9)


def test_motion_box_is_in_full_resolution_pixels() -> None:
    gate = MotionGate(zones=ZONE, stationary_every_s=100)
    gate.check(scene(None), 0.0)
    decision = gate.check(scene(200), 0.2)
    assert decision.bbox is not None
    x1, y1, x2, y2 = decision.bbox
    assert 190 <= x1 <= 205 and 235 <= x2 <= 250 and 90 <= y1 <= 105 and 155 <= y2 <= 170
