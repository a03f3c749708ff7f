"""The ideal person detector and silhouette model of a corridor clip: the people its renderer drew."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.analyzer import AlertDraft
from edge.synth.corridor import corridor_renderer, write_corridor_clip
from edge.synth.corridor_draw import CorridorRenderer
from edge.synth.corridor_scene import H, W
from edge.synth.truth_people import ClockedRule, TruthPeople


@pytest.fixture(scope="module")
def renderer() -> CorridorRenderer:
    return corridor_renderer(7, 0, 3, 40.0, 10.0)


@pytest.fixture(scope="module")
def crowded(renderer: CorridorRenderer) -> float:
    """A moment when three or more people show in the corridor."""
    for t in np.arange(0.0, 40.0, 0.5):
        if len(renderer.people_apart(float(t))) >= 3:
            return float(t)
    raise AssertionError("seed 7's first clip has no moment with three people in view")


@pytest.fixture
def people(renderer: CorridorRenderer, crowded: float) -> TruthPeople:
    """The ideal models, at the crowded moment."""
    found = TruthPeople(renderer)
    found.t = crowded
    return found


FRAME = np.zeros((H, W, 3), np.uint8)  # the ideal models do not look at the frame


def inside(box: np.ndarray) -> np.ndarray:
    """The frame pixels inside a box (x1, y1, x2, y2)."""
    x1, y1, x2, y2 = box.astype(int)
    mask = np.zeros((H, W), bool)
    mask[y1:y2, x1:x2] = True
    return mask


def test_each_person_shows_their_own_pixels_and_together_they_are_the_people(
    renderer: CorridorRenderer, crowded: float
) -> None:
    apart = renderer.people_apart(crowded)
    assert all(p.any() for p in apart)  # only people who show
    total = np.sum([p.astype(np.int32) for p in apart], axis=0)
    assert total.max() == 1  # a pixel shows one person: whoever is drawn in front
    assert np.array_equal(total > 0, renderer.people(crowded))


def test_the_boxes_hold_each_person_and_the_chances_at_frame_size_are_their_pixels(
    renderer: CorridorRenderer, crowded: float, people: TruthPeople
) -> None:
    boxes = people.boxes(FRAME)
    shown = renderer.people_apart(crowded)
    assert len(boxes) == len(shown) >= 3
    for box, pixels in zip(boxes, shown, strict=True):
        assert pixels[inside(box)].sum() == pixels.sum()  # all of them in their box
        y1, y2 = int(box[1]), int(box[3])
        assert pixels[y1, :].any() and pixels[y2 - 1, :].any()  # and the box no taller than them
    chances = people.chances_at(FRAME, boxes, (H, W), 1.0)
    assert np.array_equal(chances > people.threshold, renderer.people(crowded))
    assert np.array_equal(people.mask(FRAME, boxes, (H, W), 1.0), renderer.people(crowded))


def test_at_analysis_size_a_pixel_is_as_likely_a_person_as_the_share_of_it_they_cover(
    renderer: CorridorRenderer, crowded: float, people: TruthPeople
) -> None:
    chances = people.chances_at(FRAME, people.boxes(FRAME), (H * 3 // 4, W * 3 // 4), 0.75)
    assert chances.min() >= 0.0 and chances.max() == pytest.approx(1.0)
    # the same area of people, a pixel's share at a time
    assert chances.sum() / (0.75 * 0.75) == pytest.approx(renderer.people(crowded).sum(), rel=0.01)
    edge = (chances > 0.05) & (chances < 0.95)
    assert edge.any() and edge.sum() < (chances >= 0.95).sum()  # blurred edges, sure insides


def test_a_person_outside_the_boxes_the_rule_asks_about_is_not_masked(
    renderer: CorridorRenderer, crowded: float, people: TruthPeople
) -> None:
    """The rule asks for the outlines of the people it holds (``PeopleHold``); a model only outlines
    what is in the boxes it is given."""
    boxes = people.boxes(FRAME)
    assert not people.chances_at(FRAME, np.zeros((0, 4), np.float32), (H, W), 1.0).any()
    first = people.mask(FRAME, boxes[:1], (H, W), 1.0)
    assert np.array_equal(first, renderer.people(crowded) & inside(boxes[0]))
    assert first.sum() < renderer.people(crowded).sum()  # the others are left out


def test_the_clock_tells_the_people_the_frame_time_before_the_rule_sees_the_frame(
    renderer: CorridorRenderer,
) -> None:
    people = TruthPeople(renderer)
    seen: list[float] = []

    class Rule:
        def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
            seen.append(people.t)
            return []

        def finish(self, t_s: float) -> list[AlertDraft]:
            return []

    clocked = ClockedRule(Rule(), people)
    for t in (0.0, 0.2, 0.4):
        clocked.process(FRAME, t)
    assert seen == [0.0, 0.2, 0.4]


def test_a_clip_written_to_disk_has_the_people_its_renderer_drew(
    tmp_path: Path, renderer: CorridorRenderer, crowded: float
) -> None:
    truth = write_corridor_clip(tmp_path, 7, 0, 3, 40.0, 10.0, video=False)
    people = TruthPeople.of_clip(truth, clips=3)
    assert np.array_equal(people.renderer.people(crowded), renderer.people(crowded))
    other = tmp_path / "lift-3.truth.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lift-3\.truth\.json is not named corridor-SEED-K"):
        TruthPeople.of_clip(other)
