"""``ClutterRule`` on hand-made frames: dwell, since, people passing, light drift, removal, one alert."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest

from edge.rules.anchors import Standing
from edge.rules.clutter import ClutterParams, ClutterRule, TrackedItem, Waits
from sharpeyes.config import Zone
from sharpeyes.contract import AlertKind
from sharpeyes.contract.alert import ClutterAttributes

pytestmark = pytest.mark.slow  # about 10 s: a minute of frames per case

FPS = 5.0
ZONE = Zone(name="fire_lane", polygon=[[20, 60], [300, 60], [300, 230], [20, 230]], dwell_s=10)
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# half the analysis size keeps these tests fast; the pixel counts and distances are those tuned at 320, which
# these scenes were drawn for
SMALL = replace(ClutterParams.at_width(320), width=160)
CROWD = np.array([(60, 140, 60), (150, 60, 150), (30, 30, 40), (200, 200, 210)], np.uint8)  # their tops


def floor(t: float, light: float = 1.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed + int(t * 100))
    base = np.full((240, 320, 3), (95, 110, 120), np.float32)
    base[::16, :] = (85, 98, 108)  # tile joints
    return np.clip(base * light + rng.normal(0, 3, (240, 320, 1)), 0, 255).astype(np.uint8)


def run(
    seconds: float,
    box_at: tuple[float, float] | None = None,
    person: tuple[float, float] | None = None,
    light: tuple[float, float] = (1.0, 1.0),
    zone: Zone = ZONE,
    ramp: tuple[float, float] | None = None,
    standing: tuple[float, float] | None = None,
    pause: tuple[float, float] | None = None,
    crowd: tuple[float, float] | None = None,
    people: bool = False,
    shapes: bool = False,
) -> list:
    """``ramp``: the light goes from light[0] to light[1] between these times (default: the whole run);
    ``standing``: a person stands still in front of the box; ``pause``: a walker stops for a while;
    ``crowd``: bands that move on every frame hide the box, their lower edge rising from 190 to 140;
    ``people``: the rule has a person detector that finds every person drawn (``DrawnPeople``);
    ``shapes``: ... and knows which pixels of their boxes they show."""
    drawn = DrawnPeople()
    rule = ClutterRule(
        [zone],
        origin=START,
        params=SMALL,
        people=drawn if people else None,
        silhouettes=drawn if people and shapes else None,
    )
    drafts = []
    r0, r1 = ramp or (0.0, seconds)
    for i in range(int(seconds * FPS)):
        t = i / FPS
        level = light[0] + (light[1] - light[0]) * min(1.0, max(0.0, (t - r0) / (r1 - r0)))
        frame = floor(t, level)
        drawn.clear(frame.shape[:2])
        if box_at is not None and box_at[0] <= t < box_at[1]:
            frame[140:190, 120:170] = np.clip(np.array((40, 60, 190)) * level, 0, 255)
        if person is not None and person[0] <= t < person[1]:
            x = int(20 + (t - person[0]) * 60)  # walks across at 60 px/s
            frame[80:220, x : x + 30] = (60, 140, 60)
        if standing is not None and standing[0] <= t < standing[1]:
            drawn.draw(frame, 130, t, still=True)
        if pause is not None and pause[0] <= t:
            # walks at 60 px/s, stops for the pause, walks on
            walked = min(t, pause[1]) - pause[0] + max(0.0, t - pause[1] - 3.0)
            x = int(20 + walked * 60)
            if x < 300:
                drawn.draw(frame, x, t, still=pause[1] <= t < pause[1] + 3.0)
        if crowd is not None and crowd[0] <= t < crowd[1]:
            band = CROWD[(np.arange(100, 190) // 9 + i) % len(CROWD)]
            edge = int(190 - (t - crowd[0]) / (crowd[1] - crowd[0]) * 50)
            frame[100:edge, 100:190] = band[None, :, :]
        drafts.extend(rule.process(frame, t))
    return drafts


def draw_person(frame: np.ndarray, x: int, t: float, still: bool) -> tuple[int, int, int, int]:
    """A striped top and two legs that swing unless the person stands still; returns its box."""
    for k, y in enumerate(range(70, 150, 8)):
        frame[y : y + 8, x : x + 34] = (60, 140, 60) if k % 2 == 0 else (33, 77, 33)
    swing = 0 if still else int(6 * np.sin(2 * np.pi * 1.8 * t))
    for leg in (x + 4 + swing, x + 20 - swing):
        frame[150:215, max(0, leg) : leg + 10] = (40, 40, 60)
    return (x - 6, 70, x + 40, 215)


def standing_over(left: int, right: int, top: int) -> Callable[[np.ndarray], tuple[int, int, int, int]]:
    """Someone standing still over columns ``left``..``right`` from ``top`` to the floor (y 200), striped
    like ``draw_person``'s top, with no gap between the legs: for ``DrawnPeople.paint``."""

    def paint(frame: np.ndarray) -> tuple[int, int, int, int]:
        for k, y in enumerate(range(top, 200, 8)):
            frame[y : y + 8, left:right] = (60, 140, 60) if k % 2 == 0 else (33, 77, 33)
        return (left, top, right, 200)

    return paint


class DrawnPeople:
    """A person detector that finds exactly the people ``run`` drew in this frame (``PeopleFinder``), and
    a silhouette model that knows exactly their pixels (``PeopleShapes``): the rule's use of people's
    boxes and outlines, apart from how well a model finds them (the real models are tested on rendered
    corridor frames in ``test_people.py`` and ``tests/edge/detect/test_silhouette.py``)."""

    def __init__(self) -> None:
        self.boxes_now: list[tuple[int, int, int, int]] = []
        self.pixels = np.zeros((0, 0), bool)

    def clear(self, shape: tuple[int, int]) -> None:
        self.boxes_now = []
        self.pixels = np.zeros(shape, bool)

    def add(self, box: tuple[int, int, int, int]) -> None:
        self.boxes_now.append(box)

    def draw(self, frame: np.ndarray, x: int, t: float, still: bool) -> None:
        self.paint(frame, lambda f: draw_person(f, x, t, still))

    def paint(self, frame: np.ndarray, person: Callable[[np.ndarray], tuple[int, int, int, int]]) -> None:
        """Draw someone with ``person(frame)`` (which returns their box): found, and their pixels known."""
        before = frame.copy()
        self.add(person(frame))
        self.pixels |= (frame != before).any(axis=2)

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        return np.array(self.boxes_now, np.float32).reshape(-1, 4)

    threshold = 0.5

    def mask(self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray:
        small = cv2.resize(self.pixels.astype(np.float32), (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
        return np.asarray(small > 0, bool)

    def chances_at(
        self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float
    ) -> np.ndarray:
        """The share of each pixel that is a person's, as sure as a model is inside them and, once blurred
        as the rule blurs (3x3), as unsure at their edges."""
        blurred = cv2.GaussianBlur(self.pixels.astype(np.float32), (3, 3), 0)
        return cv2.resize(blurred, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)


def test_item_that_stays_raises_one_alert_dated_to_its_placement() -> None:
    drafts = run(40, box_at=(12.0, 40.0))
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft.kind is AlertKind.CORRIDOR_CLUTTER and draft.zone == "fire_lane"
    assert isinstance(draft.attributes, ClutterAttributes)
    since = (draft.attributes.since - START).total_seconds()
    assert abs(since - 12.0) <= 1.0
    assert draft.t_s == pytest.approx(since + ZONE.dwell_s, abs=0.5)
    x1, y1, x2, y2 = draft.bbox or (0, 0, 0, 0)
    assert abs(x1 - 120) <= 6 and abs(y1 - 140) <= 6 and abs(x2 - 170) <= 6 and abs(y2 - 190) <= 6


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"box_at": (12.0, 19.0)}, id="removed-before-dwell"),
        pytest.param({"person": (10.0, 14.0)}, id="person-walks-through"),
        pytest.param({"light": (1.0, 0.75)}, id="light-dims-25pct"),
        pytest.param({"light": (0.8, 1.15)}, id="light-brightens"),
        pytest.param({"light": (1.0, 0.7), "ramp": (10.0, 20.0)}, id="light-dims-30pct-within-dwell"),
        pytest.param({"light": (1.0, 1.3), "ramp": (10.0, 20.0)}, id="light-brightens-30pct-within-dwell"),
        pytest.param({"pause": (8.0, 11.0)}, id="person-pauses-3s-and-walks-on"),
        pytest.param({"box_at": (12.0, 19.0), "person": (14.0, 19.0)}, id="removed-early-passer-by"),
    ],
)
def test_nothing_to_report(kwargs: dict) -> None:
    assert run(40, **kwargs) == []


def test_item_occluded_by_passer_by_is_still_one_alert() -> None:
    assert len(run(40, box_at=(8.0, 40.0), person=(14.0, 19.0))) == 1


@pytest.mark.parametrize(
    "standing",
    [
        pytest.param((11.0, 19.0), id="8s-soon-after-placement"),
        pytest.param((14.0, 30.0), id="16s-through-the-dwell"),
    ],
)
def test_person_standing_in_front_keeps_since_and_one_alert(standing: tuple[float, float]) -> None:
    drafts = run(50, box_at=(8.0, 50.0), standing=standing)
    assert len(drafts) == 1
    since = (drafts[0].attributes.since - START).total_seconds()
    assert abs(since - 8.0) <= 1.0


@pytest.mark.parametrize(
    "light", [pytest.param((1.0, 0.7), id="dims-30pct"), pytest.param((1.0, 1.3), id="brightens-30pct")]
)
def test_item_through_light_ramp_is_one_alert_dated_to_placement(light: tuple[float, float]) -> None:
    drafts = run(40, box_at=(8.0, 40.0), light=light, ramp=(10.0, 20.0))
    assert len(drafts) == 1
    assert abs((drafts[0].attributes.since - START).total_seconds() - 8.0) <= 1.0


def test_removed_and_put_back_is_a_new_alert() -> None:
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    drafts = []
    for i in range(int(60 * FPS)):
        t = i / FPS
        frame = floor(t)
        if 8 <= t < 25 or 32 <= t < 60:
            frame[140:190, 120:170] = (40, 60, 190)
        drafts.extend(rule.process(frame, t))
    sinces = [(d.attributes.since - START) / timedelta(seconds=1) for d in drafts]  # type: ignore[union-attr]
    assert len(drafts) == 2
    assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - 32) <= 1


def two_items(second_at: float, seconds: float) -> list[float]:
    """A red box set down at 8 s and a green one touching it at ``second_at``: the alerts' ``since``."""
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    drafts = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        frame = floor(t)
        if t >= 8:
            frame[140:190, 120:170] = (40, 60, 190)
        if t >= second_at:
            frame[140:190, 170:210] = (60, 140, 60)
        drafts.extend(rule.process(frame, t))
    return sorted((d.attributes.since - START) / timedelta(seconds=1) for d in drafts)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("second_at", "seconds"),
    [
        # regression: an item set down touching one already reported was taken for a piece of it
        pytest.param(26.0, 50.0, id="beside-a-reported-one"),
        # the reported one in full view: nobody stands in front of it, so the new one needs one dwell,
        # not two (it is gone before two on generated corridors)
        pytest.param(26.0, 38.0, id="beside-a-reported-one-after-one-dwell"),
        # regression: both unreported when the second came (6 s later); their blobs joined into one
        # item re-dated to the second, and the first was never reported
        pytest.param(14.0, 32.0, id="beside-an-unreported-one"),
        # regression (clip 161-1): set down 3 s after the first, within ``same_item_s``; one alert dated
        # to the first covered both
        pytest.param(11.0, 32.0, id="three-seconds-after-an-unreported-one"),
    ],
)
def test_second_item_put_down_touching_the_first_is_its_own_alert(second_at: float, seconds: float) -> None:
    sinces = two_items(second_at, seconds)
    assert len(sinces) == 2, sinces
    assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - second_at) <= 1


def test_an_item_beside_a_reported_one_someone_stands_at_needs_one_dwell_when_people_are_known() -> None:
    """Regression (clip 222-1): a reported item is taken away while someone stands on its spot, and a new
    one is set down touching where it stood. Told by how things hold still alone, someone standing at a
    reported item splits into pieces beside it, so a piece touching it waits two dwells; knowing where
    people are, the new one is an item like any other and is reported after one dwell (it is gone after
    16 s, before two)."""

    drawn = DrawnPeople()

    def draw(frame: np.ndarray, t: float) -> None:
        drawn.clear(frame.shape[:2])
        if 8 <= t < 34:
            frame[140:190, 120:170] = (40, 60, 190)
        if 36 <= t < 52:
            frame[140:190, 170:210] = (60, 140, 60)
        if 30 <= t < 56:
            drawn.paint(frame, standing_over(114, 170, top=70))  # all of it: never seen gone

    sinces = play(56, draw, drawn, shapes=True)
    assert len(sinces) == 2, sinces
    assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - 36) <= 1, sinces


def test_an_item_put_down_half_behind_someone_standing_is_dated_by_the_half_that_showed() -> None:
    """Regression (clip 233-1): someone stands still from 15 s to 45 s; at 18 s an item is put down half
    behind them. The half in view is dated right but is smaller than the smallest item alone; the half
    they hid shows from 45 s, its floor last seen at 15 s, so its pixels are dated to the middle, 30 s.
    Told apart by date, the half in view was dropped as too small, and the alert's box left it out (on
    233-1, where the hidden half's pixels were dated apart among themselves too, it was reported 28 s
    late). The hidden half's span (15-45 s) says only that it came in between, and the half seen to
    come says when: one item, all of it, dated 18 s."""

    # the half in view: 140 px of 160x120, and a few more at the person's edge, which the mask gives back
    # (the item's own colour, no blend of the person's and the floor's: ``PeopleParams.distinct_tolerance``)
    small_half = replace(SMALL, min_area_fraction=170 / (160 * 120))
    drafts = play_drafts(60, draw_half_behind(drawn := DrawnPeople()), drawn, shapes=True, params=small_half)
    assert len(drafts) == 1
    since = (drafts[0].attributes.since - START).total_seconds()
    assert abs(since - 18) <= 1, since
    x1, _, x2, _ = drafts[0].bbox or (0, 0, 0, 0)
    assert x1 <= 120 + 4 and x2 >= 160 - 4, (x1, x2)  # all of it, the half in view too
    assert drafts[0].t_s > 45  # reported once the hidden half showed: the half in view is too small alone


def test_a_half_in_view_big_enough_is_reported_at_the_dwell_and_the_hidden_half_joins_it_silently() -> None:
    """As above, with the half in view above the smallest item: it is reported once it has stood the
    dwell, dated right, and the half the person hid, showing from 45 s (dated 30 s by its span), is a piece
    of it, not a second alert."""
    fits = replace(SMALL, min_area_fraction=150 / (160 * 120))
    drafts = play_drafts(60, draw_half_behind(drawn := DrawnPeople()), drawn, shapes=True, params=fits)
    assert len(drafts) == 1
    assert abs((drafts[0].attributes.since - START).total_seconds() - 18) <= 1
    x1, _, x2, _ = drafts[0].bbox or (0, 0, 0, 0)
    assert drafts[0].t_s < 45 and x1 >= 140 and x2 >= 160 - 4, (drafts[0].t_s, x1, x2)  # the half in view


def draw_half_behind(drawn: DrawnPeople) -> Callable[[np.ndarray, float], None]:
    """An item put down at 18 s half behind someone standing still from 15 s to 45 s (all but its right
    14 px hidden)."""

    def draw(frame: np.ndarray, t: float) -> None:
        drawn.clear(frame.shape[:2])
        if t >= 18:
            frame[140:180, 120:160] = (40, 60, 190)
        if 15 <= t < 45:
            drawn.paint(frame, standing_over(100, 146, top=60))

    return draw


def test_an_item_put_down_behind_someone_is_dated_by_the_strip_of_it_that_showed() -> None:
    """Regression (clip 231-0): someone stands still from 16 s to 45 s; at 18 s an item is put down right
    behind them. For a second a strip of it shows beside them (an eighth of it), then they step over it
    and hide all of it until they leave. The rest of it first shows at 45 s, its floor last seen at 16 s:
    dated by the first fifth of its pixels to show, it was put down at (16 + 45) / 2, 12 s late. A
    handful of pixels seen to come says when it came."""

    drawn = DrawnPeople()

    def draw(frame: np.ndarray, t: float) -> None:
        drawn.clear(frame.shape[:2])
        if t >= 18:
            frame[140:180, 120:160] = (40, 60, 190)
        if 16 <= t < 45:
            left = 126 if 18 <= t < 19 else 104  # a 6 px strip of the item shows for a second
            drawn.paint(frame, standing_over(left, 170, top=60))

    sinces = play(60, draw, drawn, shapes=True)
    assert len(sinces) == 1, sinces
    assert abs(sinces[0] - 18) <= 3, sinces


def test_item_the_colour_of_the_floor_is_not_taken_for_a_ghost() -> None:
    """Regression: a patterned item whose mean colour matches the floor around it was taken into the
    background as the bare floor left by someone who stood there while it was learned."""
    rng = np.random.default_rng(5)  # 5 px squares 35-45 grey levels above or below the floor's colour
    squares = rng.choice([-1.0, 1.0], size=(10, 10, 1)) * rng.uniform(35, 45, size=(10, 10, 1))
    offsets = np.repeat(np.repeat(squares, 5, axis=0), 5, axis=1)
    patch = np.clip(np.array((95, 110, 120)) + offsets, 0, 255).astype(np.uint8)
    assert np.abs(patch.reshape(-1, 3).mean(axis=0) - (95, 110, 120)).max() < 10  # a ghost, by its mean
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    drafts = []
    for i in range(int(30 * FPS)):
        t = i / FPS
        frame = floor(t)
        if t >= 8:
            frame[140:190, 120:170] = patch
        drafts.extend(rule.process(frame, t))
    assert len(drafts) == 1
    attributes = drafts[0].attributes
    assert isinstance(attributes, ClutterAttributes)
    assert abs((attributes.since - START).total_seconds() - 8) <= 1


def test_person_standing_still_shorter_than_dwell_raises_nothing() -> None:
    assert run(40, standing=(10.0, 18.0)) == []


def test_item_a_crowd_uncovers_bit_by_bit_is_one_alert_for_all_of_it_dated_to_its_placement() -> None:
    """Regression (a far item in a crowd, generated clip 73-0): people walking past hide an item from
    just before it is put down; the crowd thins from the floor up, uncovering it a row at a time over
    15 s. Each pixel says "after the floor last showed (13 s), by the time I first showed"; all of them
    came at once, so the rows uncovered first date it. Before, each pixel was dated to the middle of its
    own span, so the item was dated late, it was reported from the rows that had qualified by then, and
    the last rows, dated later still, were taken for something else (a second alert, or none for them).
    """
    drafts = run(50, box_at=(14.0, 50.0), crowd=(13.0, 28.0))
    assert len(drafts) == 1
    since = (drafts[0].attributes.since - START).total_seconds()
    assert abs(since - 14.0) <= 1.0, since
    _, top, _, bottom = drafts[0].bbox or (0, 0, 0, 0)
    assert top <= 140 + 6 and bottom >= 190 - 6  # all of it, not the rows that showed first


def test_person_standing_longer_than_dwell_is_no_clutter_when_people_are_known() -> None:
    """Someone who stands still in the fire lane for 25 s holds still like an item; told by how it
    holds still alone, the rule reports them, and with a person detector it does not."""
    assert len(run(45, standing=(10.0, 45.0))) == 1  # model-free: a person standing is a thing standing
    assert run(45, standing=(10.0, 45.0), people=True) == []


def test_item_with_a_person_standing_in_front_is_one_alert_dated_to_placement_when_people_are_known() -> None:
    drafts = run(50, box_at=(8.0, 50.0), standing=(14.0, 30.0), people=True)
    assert len(drafts) == 1
    since = (drafts[0].attributes.since - START).total_seconds()
    assert abs(since - 8.0) <= 1.0


def test_item_a_person_came_to_stand_over_is_reported_when_the_rule_knows_their_outline() -> None:
    """Someone stops right over an item a moment after it was put down and stays: their box covers all of
    it from before it held still, so with boxes alone it never shows itself with nobody over it and is
    never reported. Knowing which pixels the person shows, the rule sees the rest of it (beside and
    between their legs) stand, and reports it, dated to when it was put down. A person standing alone
    is still no item."""
    assert run(55, box_at=(12.0, 55.0), standing=(12.6, 55.0), people=True) == []
    drafts = run(55, box_at=(12.0, 55.0), standing=(12.6, 55.0), people=True, shapes=True)
    assert len(drafts) == 1
    assert abs((drafts[0].attributes.since - START).total_seconds() - 12.0) <= 1.0
    assert run(45, standing=(10.0, 45.0), people=True, shapes=True) == []


def test_someone_who_takes_an_item_away_and_stays_on_its_spot_is_not_the_item_again() -> None:
    """The item is reported; someone comes to stand over it, it is taken away while they stand there, and
    they stay. The item's anchors under them are put aside by the person's own (still) pixels and still
    stand, and once the item is forgotten (the rest of it shows the floor) they form a blob dated to the
    item: what shows there now is the person, not it, so it is not reported again."""
    drafts = run(60, box_at=(8.0, 30.0), standing=(28.0, 55.0), people=True, shapes=True)
    assert len(drafts) == 1
    assert abs((drafts[0].attributes.since - START).total_seconds() - 8.0) <= 1.0


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"pause": (8.0, 11.0)}, id="person-pauses-3s-and-walks-on"),
        pytest.param({"person": (10.0, 14.0)}, id="person-walks-through"),
        pytest.param({"light": (1.0, 0.7), "ramp": (10.0, 20.0)}, id="light-dims-30pct-within-dwell"),
    ],
)
def test_nothing_to_report_when_people_are_known(kwargs: dict) -> None:
    assert run(40, people=True, **kwargs) == []


@pytest.mark.parametrize("skips", [False, True])
def test_someone_dressed_in_the_items_colour_who_carries_it_in_does_not_date_it_early(skips: bool) -> None:
    """263-0 (session 30): someone in a coat of the item's colour, whose swinging legs show another colour
    every other frame, stands over a spot from 8 s to 14 s and sets an item down there at 11.5 s. Looking
    back from when the item stands, their coat is the first thing to show its colour after the floor, so
    the plain look-back dates it to their arrival, 3.5 s early: a false alert and a miss. Skipping what
    their silhouette surely covers (``lookback_skips_people``), it first showed as they left, and is dated
    between that and the floor last seen: within 3 s."""
    drawn = DrawnPeople()
    item = (40, 60, 190)

    def draw(frame: np.ndarray, t: float) -> None:
        drawn.clear(frame.shape[:2])
        if t >= 11.5:
            frame[170:190, 125:155] = item
        if 8 <= t < 14:
            colour = item if round(t * FPS) % 2 else (33, 77, 33)

            def person(frame: np.ndarray) -> tuple[int, int, int, int]:
                frame[60:200, 116:164] = colour
                return (116, 60, 164, 200)

            drawn.paint(frame, person)

    params = replace(SMALL, anchors=replace(SMALL.anchors, lookback_skips_people=skips))
    drafts = play_drafts(50, draw, drawn, shapes=True, params=params)
    assert len(drafts) == 1
    since = (drafts[0].attributes.since - START).total_seconds()
    if skips:
        assert abs(since - 11.5) <= 3.0, since
    else:
        assert since <= 8.5, since


def play_drafts(
    seconds: float,
    draw: Callable[[np.ndarray, float], None],
    people: DrawnPeople | None = None,
    shapes: bool = False,
    params: ClutterParams = SMALL,
) -> list:
    """The rule on the floor with ``draw(frame, t)`` painted on it: its alerts. ``shapes``: the rule
    knows the outlines of ``people``, not just their boxes."""
    rule = ClutterRule(
        [ZONE], origin=START, params=params, people=people, silhouettes=people if shapes else None
    )
    drafts = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        frame = floor(t)
        draw(frame, t)
        drafts.extend(rule.process(frame, t))
    return drafts


def play(
    seconds: float,
    draw: Callable[[np.ndarray, float], None],
    people: DrawnPeople | None = None,
    shapes: bool = False,
) -> list[float]:
    """``play_drafts``: the alerts' ``since``, in order."""
    drafts = play_drafts(seconds, draw, people, shapes)
    return sorted((d.attributes.since - START) / timedelta(seconds=1) for d in drafts)  # type: ignore[union-attr]


def test_item_whose_box_only_meets_a_reported_items_box_in_its_fringe_is_its_own_alert() -> None:
    """Regression (clip 61-1): a far item set down a second after a near one, behind it and to the right
    in the picture, was taken for a piece of the near one once that was reported: the fringes of their
    boxes met, though their pixels stay apart. Here the far one is an L (a bar and a post) whose box
    reaches past the near one's corner."""

    def draw(frame: np.ndarray, t: float) -> None:
        if t >= 8:
            frame[140:190, 120:170] = (40, 60, 190)
        if t >= 9:
            frame[106:128, 176:200] = (60, 140, 60)
            frame[106:150, 194:200] = (60, 140, 60)

    sinces = play(40, draw)
    assert len(sinces) == 2, sinces
    assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - 9) <= 1


def test_item_a_crowd_hides_right_after_it_showed_is_dated_by_the_part_that_showed() -> None:
    """Regression (generated clip 4-1): passers-by hide the bottom of a spot from just before an item is
    put down, and all of it from a second and a half after, for half a minute. Its top showed for that
    moment; its bottom first shows when the crowd leaves. The top, in view for little of the time since
    it first showed, does not stand, so the item was dated from its bottom alone: between the floor last
    showing (9 s) and its first showing (40 s), 15 s late. The top's pixels came with it and date it."""

    def draw(frame: np.ndarray, t: float) -> None:
        if t >= 10:
            frame[140:190, 120:170] = (40, 60, 190)
        if 9 <= t < 40:
            top = 165 if t < 11.6 else 100
            band = CROWD[(np.arange(top, 190) // 9 + int(t * FPS)) % len(CROWD)]
            frame[top:190, 100:190] = band[:, None, :]

    sinces = play(70, draw)
    assert len(sinces) == 1, sinces
    assert abs(sinces[0] - 10) <= 1.5, sinces


def test_an_item_someone_stopped_in_front_of_until_it_was_taken_away_is_reported_by_what_shows() -> None:
    """Regression (clips 121-1, 122-0): someone stops in front of an item before its dwell, hiding three
    fifths of it, and stays until after it is taken away. The rule waited for half of it to show, which
    it never did. What nobody stands in front of shows the item all along: it is reported, dated to its
    placement, while the person still stands there; the person alone is no item."""

    def stands(frame: np.ndarray) -> tuple[int, int, int, int]:
        frame[70:215, 110:150] = (60, 140, 60)  # hides the item's left three fifths
        frame[70:215:8, 110:150] = (33, 77, 33)
        return (110, 70, 150, 215)

    def scene(item: bool) -> tuple[DrawnPeople, Callable[[np.ndarray, float], None]]:
        people = DrawnPeople()

        def draw(frame: np.ndarray, t: float) -> None:
            people.clear(frame.shape[:2])
            if item and 8 <= t < 40:
                frame[140:190, 120:170] = (40, 60, 190)
            if 15 <= t < 50:
                people.paint(frame, stands)

        return people, draw

    people, draw = scene(item=True)
    sinces = play(60, draw, people, shapes=True)
    assert len(sinces) == 1, sinces
    assert abs(sinces[0] - 8) <= 1, sinces
    people, draw = scene(item=False)
    assert play(60, draw, people, shapes=True) == []


@pytest.mark.parametrize(("glimpse_kept", "reported"), [(SMALL.glimpse_kept, True), (SMALL.glimpse, False)])
def test_an_item_seen_only_in_strips_between_someones_legs_after_its_dwell_is_reported(
    glimpse_kept: float, reported: bool
) -> None:
    """Regression (tuning clip 31-0 item-2): an item tracked and dated right is hidden by someone who
    stands over it from before its dwell until it is taken away, save for a few seconds at its dwell when
    their legs part. Strips of it show between them: all of what nobody stands on (``visible``), but only
    0.15 of all of it here (0.11-0.15 on the clip, where the renderer's truth counts a quarter seen: the
    strips are a pixel or two wide at analysis size, and the blur eats their edges). ``glimpse`` (0.25)
    waited for more and missed it (as it still does with ``glimpse_kept`` set to ``glimpse`` and people's
    mask kept whole, as up to session 33; here the strips are 4 analysis pixels wide, and the item's pixels
    the mask gives back at the legs' edges since session 38 widen them past a quarter); it has kept its box
    all along, so with ``glimpse_kept`` at a tenth (the default since session 34) it is reported, dated to
    its placement. The person alone, legs parting over the empty floor, is no item."""

    def scene(item: bool) -> tuple[DrawnPeople, Callable[[np.ndarray, float], None]]:
        people = DrawnPeople()

        def stands(frame: np.ndarray, t: float) -> tuple[int, int, int, int]:
            under = frame[140:215, 110:180].copy()
            frame[70:215, 110:180] = (60, 140, 60)
            frame[70:215:8, 110:180] = (33, 77, 33)
            if 18 <= t < 24:  # the legs part: two strips of what is behind them show
                for x in (128, 152):
                    frame[140:215, x : x + 8] = under[:, x - 110 : x - 102]
            return (110, 70, 180, 215)

        def draw(frame: np.ndarray, t: float) -> None:
            people.clear(frame.shape[:2])
            if item and 8 <= t < 40:
                frame[140:190, 120:170] = (40, 60, 190)
            if 12 <= t < 50:
                people.paint(frame, lambda f: stands(f, t))

        return people, draw

    params = replace(SMALL, glimpse_kept=glimpse_kept)
    if not reported:
        params = replace(params, people=replace(params.people, distinct_tolerance=None))
    people, draw = scene(item=True)
    drafts = play_drafts(60, draw, people, shapes=True, params=params)
    if reported:
        assert len(drafts) == 1, drafts
        assert abs((drafts[0].attributes.since - START).total_seconds() - 8) <= 1, drafts
    else:
        assert drafts == []  # a quarter for every item, the gate up to session 33
    people, draw = scene(item=False)
    assert play_drafts(60, draw, people, shapes=True, params=params) == []


def test_a_box_that_changed_while_people_stood_over_it_needs_a_quarter_to_show() -> None:
    """Regression (clip 124-0, with a tenth of all pixels showing enough for every item): an item taken
    away short of its dwell while talkers stood over it kept its track, the box shrunk to its top rows
    (16 s after it was first tracked) where the talkers' pixels stood, 0.19 of it showing. Reported at a
    tenth, it was a false alert dated to the item that had gone. Only a box kept since the item was
    first tracked is trusted on a tenth (``glimpse_kept``; 31-0's strips between legs)."""
    assert SMALL.glimpse_kept == 0.1 < SMALL.glimpse
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    moving = np.zeros((SMALL.width * 3 // 4, SMALL.width), bool)
    box = (60.0, 70.0, 85.0, 95.0)
    item = TrackedItem(
        id=1,
        zone="fire_lane",
        bbox=box,
        since_s=33.5,
        last_seen_s=65.2,
        first_seen_s=38.2,
        frames=100,
        seen=100,
        footprint=box,
        steady_since_s=54.2,
        visible=1.0,
        glimpse=0.19,
    )
    assert rule._waits(item, moving, 65.2, 20.0) == Waits.HIDDEN  # its box changed at 54.2 s
    kept = replace(item, steady_since_s=38.2)
    assert rule._waits(kept, moving, 65.2, 20.0) == ""  # kept since first tracked: a tenth will do
    assert rule._waits(replace(kept, glimpse=0.08), moving, 65.2, 20.0) == Waits.HIDDEN
    assert rule._waits(replace(item, glimpse=0.3), moving, 65.2, 20.0) == ""  # a quarter: as before


def removed_then_replaced_among_passers_by(people: bool) -> list[float]:
    """A red box from 8 s to 25 s; then someone walks to and fro over its spot for 20 s; a green box is
    put on the spot at 46 s: the alerts' ``since``."""
    drawn = DrawnPeople()

    def draw(frame: np.ndarray, t: float) -> None:
        drawn.boxes_now = []
        if 8 <= t < 25:
            frame[140:190, 120:170] = (40, 60, 190)
        if 25 <= t < 45:
            x = int(130 + 40 * np.sin(2 * np.pi * (t - 25) / 4))  # to and fro across the spot, every 4 s
            drawn.add(draw_person(frame, x, t, still=False))
        if t >= 46:
            frame[140:190, 120:170] = (60, 140, 60)

    return play(80, draw, drawn if people else None)


def test_item_taken_away_among_passers_by_frees_its_spot_when_people_are_known() -> None:
    """Regression (clip 33-0): at a busy far end, people passing over a removed item's spot kept its
    pixels from showing the empty floor for ``hold_s`` on end, so it stayed "reported", and the next item
    put on the spot was taken for someone standing in front of it. Known people say nothing about the
    floor; the pixels they leave free do."""
    assert len(removed_then_replaced_among_passers_by(people=False)) == 1  # model-free: the second is lost
    sinces = removed_then_replaced_among_passers_by(people=True)
    assert len(sinces) == 2, sinces
    assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - 46) <= 1


def test_an_item_taken_away_from_behind_someone_takes_its_anchors_under_them_with_it() -> None:
    """Regression (generated clip 181-0): an item is reported; someone comes to stand over its left two
    fifths and it is taken away while they stand there. The rest of it shows the floor, so it is
    forgotten; the anchors under the person (the item's, put aside by the person's own) never saw the
    floor again. Left there, dated with the item, they stood on as a piece of it and were reported a
    second time once something over them matched them. An item is taken away whole: they go with it.
    The person's own anchors (they came later) stay."""
    people = DrawnPeople()
    rule = ClutterRule([ZONE], origin=START, params=SMALL, people=people, silhouettes=people)
    left = (120.0, 140.0, 140.0, 190.0)  # the item's part under the person
    drafts = []
    for i in range(int(45 * FPS)):
        t = i / FPS
        frame = floor(t)
        people.clear(frame.shape[:2])
        if 8 <= t < 32:
            frame[140:190, 120:170] = (40, 60, 190)
        if t >= 26:
            people.paint(frame, standing_over(110, 140, 70))
        drafts.extend(rule.process(frame, t))
        if t == 30.0:  # reported, someone standing over part of it
            held = rule.region_pixels(left, t)
            assert held is not None
            assert np.nanmin(np.fmin(held.anchor.since, held.aside.since)) <= 9.0
    assert len(drafts) == 1
    assert abs((drafts[0].attributes.since - START).total_seconds() - 8.0) <= 1.0
    assert rule.items == []  # taken away: forgotten
    under = rule.region_pixels(left, t)
    assert under is not None
    dates = np.concatenate([under.anchor.since[under.anchor.valid], under.aside.since[under.aside.valid]])
    assert dates.size > 0  # the person's own (dated between the floor last showing and 26 s)
    assert dates.min() > 8.0 + SMALL.same_item_s, "an anchor of the item taken away is still held"


def test_region_tells_what_the_rule_holds_over_an_item() -> None:
    """``region`` (what ``benchmarks/clutter_trace.py`` prints): over an item put down at 12 s (once the
    empty corridor is learned) and watched for 14 s, its pixels hold an anchor dated to the placement,
    show it, stand, and one item is tracked, which says why it is not reported yet until it is; over
    bare floor, nothing."""
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    item = (120.0, 140.0, 170.0, 190.0)
    assert rule.region(item, 0.0) is None  # no frame yet
    waiting = []
    for i in range(int(26 * FPS)):
        t = i / FPS
        frame = floor(t)
        if t >= 12.0:
            frame[140:190, 120:170] = (40, 60, 190)
        if rule.process(frame, t):
            waiting.append("reported")
        elif rule.items and not rule.items[0].alerted and rule.items[0].waiting not in waiting:
            waiting.append(rule.items[0].waiting)
    assert waiting == [Waits.DWELL, "reported"]
    state = rule.region(item, t)
    assert state is not None
    assert state.anchored > 0.9 and state.showing > 0.9 and state.standing > 0.9
    assert state.unproven == 0.0 and state.people == 0.0
    assert abs(state.since_s - 12.0) <= 1.0
    assert [round(i.since_s) for i in state.items] == [12]
    bare = rule.region((220.0, 80.0, 280.0, 120.0), t)
    assert bare is not None and bare.anchored == 0.0 and bare.items == ()
    assert rule.region((400.0, 300.0, 500.0, 400.0), t) is None  # outside the picture


def test_an_item_someone_fidgets_beside_until_it_was_taken_away_is_reported_when_people_are_known() -> None:
    """Regression (clips 254-1, 134-1): after the dwell someone stands at the item, shifting from foot to
    foot, until it is taken away. Motion at the box postponed the report to a quiet frame, which never
    came. The motion is the person the detector found, who stands in front of the item (what shows of
    it is judged without their pixels), not at it: the item is reported, dated to its placement, while
    they still stand there; so are their edges, which the mask gives back to be seen where they show
    another colour than the person's and the floor's (session 38: here, the item's behind the legs).
    Model-free, motion there still postpones it; the person alone is no item."""

    def scene(item: bool, people: DrawnPeople) -> Callable[[np.ndarray, float], None]:
        def draw(frame: np.ndarray, t: float) -> None:
            people.clear(frame.shape[:2])
            if item and 8 <= t < 40:
                frame[140:190, 120:170] = (40, 60, 190)
            if 16 <= t < 50:
                step = 0.0 if round(t * FPS) % 2 else 1 / (4 * 1.8)  # legs apart, then together
                people.draw(frame, 150, step, still=False)  # over its right half

        return draw

    people = DrawnPeople()
    sinces = play(60, scene(item=True, people=people), people, shapes=True)
    assert len(sinces) == 1, sinces
    assert abs(sinces[0] - 8) <= 1, sinces
    assert play(60, scene(item=True, people=DrawnPeople())) == []  # no detector: someone is moving at it
    people = DrawnPeople()
    assert play(60, scene(item=False, people=people), people, shapes=True) == []


def test_a_blob_that_took_in_a_tracked_items_pixels_dated_apart_from_it_hands_them_back() -> None:
    """Regression (clip 142-1): an item is tracked, dated right, when a neighbour just above it, which a
    crowd hid from when it was put down, starts to stand. Their pixels join into one blob, dated by the
    neighbour's (the middle of the long time it was hidden, 20 s before the item came): that blob does
    not continue the item, so the item was never seen again and the neighbour was reported in its place.
    The item's pixels in the blob still date with it: they go back to it, the rest is a blob of its own."""
    rule = ClutterRule([ZONE], origin=START, params=SMALL)
    rule.process(floor(0.0), 0.0)  # sizes the rule to the frame
    item = TrackedItem(
        id=1,
        zone=ZONE.name,
        bbox=(60.0, 60.0, 70.0, 66.0),
        since_s=40.0,
        last_seen_s=49.8,
        came_after_s=36.0,
        shown_by_s=44.0,
        footprint=(60.0, 60.0, 70.0, 66.0),
        pixels=np.ones((6, 10), bool),
    )
    rule._items.append(item)
    shape = rule._labels.shape
    floor_s, shown_s = np.full(shape, 5.0, np.float32), np.full(shape, 35.0, np.float32)  # the neighbour
    floor_s[60:66, 60:70], shown_s[60:66, 60:70] = 36.0, 44.0  # the item: people were about as it came
    standing = Standing(
        mask=np.ones(shape, bool),
        since=(floor_s + shown_s) / 2,
        floor_s=floor_s,
        shown_s=shown_s,
        shows=np.ones(shape, bool),
    )
    blob = np.ones((16, 10), bool)  # rows 50-65: the neighbour above, the item below
    date = rule._dater(standing, slice(50, 66), slice(60, 70))
    assert date(blob).since_s == pytest.approx(20.0)  # dated apart from it
    pieces = rule._hand_back(blob, 60, 50, standing, min_area=15)
    assert sorted((x, y, part.shape, bool(part.all())) for x, y, part in pieces) == [
        (60, 50, (10, 10), True),
        (60, 60, (6, 10), True),
    ]
    # a blob that continues another tracked item is that item: it stays whole (clip 31-0: a piece of an
    # item put down where people had stood for long was tracked apart, dated to the middle of that time)
    rule._items.append(
        replace(
            item,
            id=2,
            bbox=(60.0, 50.0, 70.0, 60.0),
            footprint=(60.0, 50.0, 70.0, 60.0),
            since_s=20.0,
            came_after_s=5.0,
            shown_by_s=35.0,
            pixels=np.ones((10, 10), bool),
        )
    )
    assert [part.shape for _x, _y, part in rule._hand_back(blob, 60, 50, standing, min_area=15)] == [(16, 10)]
    rule._items.pop()
    # where the item's own pixels no longer date with it, the blob is something else: it stays whole
    standing.floor_s[60:66, 60:70], standing.shown_s[60:66, 60:70] = 5.0, 35.0
    standing.since[60:66, 60:70] = 20.0
    assert [part.shape for _x, _y, part in rule._hand_back(blob, 60, 50, standing, min_area=15)] == [(16, 10)]


@pytest.mark.parametrize(
    ("keep_apart", "across"),
    [
        pytest.param(True, True, id="someone-across-the-gap"),
        pytest.param(True, False, id="nobody-across-the-gap"),
        pytest.param(False, True, id="without-keep-apart"),
        pytest.param(False, False, id="without-keep-apart-nobody-across"),
    ],
)
def test_two_items_seen_with_the_floor_between_them_stay_two(keep_apart: bool, across: bool) -> None:
    """Regression (clip 151-1): two items are put down 3 s apart a few pixels from each other, the second
    while someone stands on its spot, so its date is the middle of the time they hid its floor, within
    ``same_item_s`` of the first's. Both stand with the empty floor showing between them. Then someone
    stands across the gap, and their pixels join the two into one blob: the second was taken for a piece
    of the first. Without anyone across, once the first is reported the second touches its fringe and,
    dated with it, was taken for a piece of it all the same. Either way one alert, dated to the first,
    covered both. Seen apart, each keeps its own (``keep_apart``)."""
    drawn = DrawnPeople()
    zone = ZONE.model_copy(update={"dwell_s": 20})
    rule = ClutterRule(
        [zone], origin=START, params=replace(SMALL, keep_apart=keep_apart), people=drawn, silhouettes=drawn
    )
    drafts = []
    for i in range(int(45 * FPS)):
        t = i / FPS
        frame = floor(t)
        drawn.clear(frame.shape[:2])
        if t >= 8:
            frame[140:190, 120:160] = (40, 60, 190)
        if t >= 11:
            frame[140:190, 168:204] = (60, 140, 60)
        if 9 <= t < 14:
            drawn.paint(frame, standing_over(162, 210, top=70))  # on the second's spot as it comes
        if across and t >= 22:
            drawn.paint(frame, standing_over(150, 178, top=70))  # across the gap, over both
        drafts.extend(rule.process(frame, t))
    sinces = sorted((d.attributes.since - START) / timedelta(seconds=1) for d in drafts)  # type: ignore[union-attr]
    if keep_apart:
        assert len(sinces) == 2, sinces
        assert abs(sinces[0] - 8) <= 1 and abs(sinces[1] - 11) <= 3, sinces
    else:
        assert len(sinces) == 1 and abs(sinces[0] - 8) <= 1, sinces  # the second went into the first
