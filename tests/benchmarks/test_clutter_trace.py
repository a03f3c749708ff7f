"""``benchmarks/clutter_trace.py``: a line about the item's pixels every few frames, every alert, and
grids pixel by pixel at chosen times."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from benchmarks.clutter_trace import ItemTrace
from edge.rules.clutter import ClutterParams, ClutterRule
from sharpeyes.config import Zone

ZONE = Zone(name="fire_lane", polygon=[[20, 60], [300, 60], [300, 230], [20, 230]], dwell_s=10)
ITEM = {"id": "item-0", "placed_s": 12.0, "removed_s": None, "bbox": [120.0, 140.0, 170.0, 190.0]}


def replay_red_box(trace: ItemTrace) -> None:
    """28 s at 5 fps of an empty corridor where a red box is put down at 12 s (``ITEM``)."""
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


def new_rule() -> ClutterRule:
    return ClutterRule(
        [ZONE],
        origin=datetime(2026, 3, 1, tzinfo=UTC),
        params=replace(ClutterParams.at_width(320), width=160),
    )


def test_trace_prints_the_item_from_before_its_placement_and_the_alert(
    capsys: pytest.CaptureFixture[str],
) -> None:
    replay_red_box(ItemTrace(new_rule(), ITEM, end_s=26.0, every=5))
    lines = capsys.readouterr().out.splitlines()
    states = [line for line in lines if "anchored" in line]
    alerts = [line for line in lines if "ALERT" in line]
    assert states[0].startswith("t=   11.0") and states[-1].startswith("t=   26.0")
    assert len(states) == 16  # 11.0 to 26.0 s, every fifth frame at 5 fps
    assert "anchored 0.00" in states[0] and "anchored 1.00" in states[-1] and "standing 1.00" in states[-1]
    assert "#1(since 11.8, reported)" in states[-1]
    assert len(alerts) == 1 and "ALERT since 11.8" in alerts[0]


def test_pixel_grids_show_each_pixel_of_the_item_anchored_standing_and_dated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before the box: no anchor anywhere. Once it has stood: every pixel of it stands, shows itself, is
    dated to when it came (11.8 s, as the alert) and was in view all the time since it first showed; the
    analysis window holds the box at half size (160 of 320 px) and nothing is put aside."""
    replay_red_box(ItemTrace(new_rule(), ITEM, end_s=26.0, every=1000, pixels_at=[11.0, 25.0]))
    out = capsys.readouterr().out
    before, after = out.split("t=   25.0  pixels")
    assert "t=   11.0  pixels of the box (60, 70, 85, 95)" in before
    codes = [line.split() for line in before.split("  code:")[1].split("  since:")[0].strip().splitlines()]
    assert len(codes) == 25 and all(len(row) == 25 for row in codes)
    assert {c for row in codes for c in row} == {".--."}
    grid = after.split("  code:")[1].split("  since:")[0].strip().splitlines()
    assert all(code == "S*-." for line in grid for code in line.split())
    since = [float(v) for v in after.split("  since:")[1].split("  floor")[0].split()]
    assert len(since) == 25 * 25 and all(abs(v - 11.8) < 0.5 for v in since)
    in_view = [float(v) for v in after.split("  in view (share):")[1].split()]
    assert all(v >= 0.9 for v in in_view)
    assert "aside" not in after


def colour_after(word: str, line: str) -> np.ndarray:
    return np.array([float(v) for v in line.split(word + " (")[1].split(")")[0].split(",")])


def test_following_one_pixel_shows_the_floor_then_the_box_anchored_with_its_colour_and_date(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A pixel in the middle of the box (analysis 72, 82 at half size), frame by frame: no anchor while
    it shows the floor; then the box's red, anchored once it has held still, standing, dated to its placement;
    nothing aside. A pixel outside the box prints nothing."""
    replay_red_box(ItemTrace(new_rule(), ITEM, end_s=26.0, every=1000, follow=(72, 82)))
    lines = capsys.readouterr().out.splitlines()
    follow = [line for line in lines if "(72,82)" in line]
    assert len(follow) == 76 and follow[0].startswith("t=   11.0")  # 11.0 to 26.0 s at 5 fps
    assert "anchor -" in follow[0] and "aside -" in follow[0]
    assert np.abs(colour_after("shows", follow[0]) - (95, 110, 120)).max() <= 6  # the floor, with noise
    last = follow[-1]
    assert last.startswith("t=   26.0  (72,82) S-  shows"), last
    assert np.abs(colour_after("shows", last) - (40, 60, 190)).max() <= 6
    assert np.abs(colour_after("anchor", last) - (40, 60, 190)).max() <= 6
    assert abs(float(last.split(" since ")[1].split()[0]) - 12.0) <= 0.5  # put down at 12 s
    assert "in view 1.00" in last and "aside -" in last
    replay_red_box(ItemTrace(new_rule(), ITEM, end_s=26.0, every=1000, follow=(10, 10)))
    assert "(10,10)" not in capsys.readouterr().out


def test_colour_counts_the_boxs_pixels_of_a_colour_in_the_analysed_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--colour``: none of the box's pixels show the red before it is put down, all of them after but
    its four corners, which the rule's blur mixes with the floor (the box fills its window: 25 x 25 at
    half size); nobody is there, so none lie under people."""
    replay_red_box(ItemTrace(new_rule(), ITEM, end_s=26.0, every=5, colour=((40, 60, 190), 20.0)))
    states = [line for line in capsys.readouterr().out.splitlines() if "anchored" in line]
    assert states[0].startswith("t=   11.0") and states[0].endswith("colour 0 of 625 px (0 under people)")
    assert states[-1].endswith("colour 621 of 625 px (0 under people)"), states[-1]
