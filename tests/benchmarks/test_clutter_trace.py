"""``benchmarks/clutter_trace.py``: a line about the item's pixels every few frames, and every alert."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from benchmarks.clutter_trace import ItemTrace
from edge.rules.clutter import ClutterParams, ClutterRule
from sharpeyes.config import Zone

ZONE = Zone(name="fire_lane", polygon=[[20, 60], [300, 60], [300, 230], [20, 230]], dwell_s=10)
ITEM = {"id": "item-0", "placed_s": 12.0, "removed_s": None, "bbox": [120.0, 140.0, 170.0, 190.0]}


def test_trace_prints_the_item_from_before_its_placement_and_the_alert(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rule = ClutterRule([ZONE], origin=datetime(2026, 3, 1, tzinfo=UTC), params=ClutterParams(width=160))
    trace = ItemTrace(rule, ITEM, end_s=26.0, every=5)
    rng = np.random.default_rng(0)
    for i in range(28 * 5):
        t = i / 5
        frame = np.clip(
            np.full((240, 320, 3), (95, 110, 120), np.float32) + rng.normal(0, 3, (240, 320, 1)), 0, 255
        )
        frame = frame.astype(np.uint8)
        if t >= 12.0:
            frame[140:190, 120:170] = (40, 60, 190)
        trace.process(frame, t)
    lines = capsys.readouterr().out.splitlines()
    states = [line for line in lines if "anchored" in line]
    alerts = [line for line in lines if "ALERT" in line]
    assert states[0].startswith("t=   11.0") and states[-1].startswith("t=   26.0")
    assert len(states) == 16  # 11.0 to 26.0 s, every fifth frame at 5 fps
    assert "anchored 0.00" in states[0] and "anchored 1.00" in states[-1] and "standing 1.00" in states[-1]
    assert "#1(since 11.8, reported)" in states[-1]
    assert len(alerts) == 1 and "ALERT since 11.8" in alerts[0]
