"""``Anchors`` with people known: what comes up on a person stands only once it shows with nobody over it."""

from __future__ import annotations

import numpy as np
import pytest

from edge.rules.anchors import AnchorParams, Anchors
from edge.rules.background import Foreground

FLOOR = (95.0, 110.0, 120.0)
THING = (40.0, 60.0, 190.0)
SPOT = (slice(10, 20), slice(10, 20))  # where the thing stands
STEP = 0.2


def frame(thing: bool) -> Foreground:
    image = np.full((40, 60, 3), FLOOR, np.float32)
    if thing:
        image[SPOT] = THING
    differs = np.zeros((40, 60), bool)
    differs[SPOT] = thing
    return Foreground(image, differs, differs.astype(np.float32) * 100, 1.0, np.full_like(image, FLOOR))


def boxes(*xyxy: tuple[int, int, int, int]) -> np.ndarray:
    mask = np.zeros((40, 60), bool)
    for x0, y0, x1, y1 in xyxy:
        mask[y0:y1, x0:x1] = True
    return mask


WALKER = (5, 0, 25, 30)  # over the spot as the thing comes


def standing_after(then: np.ndarray, seconds: float = 12.0) -> np.ndarray:
    """The thing appears at 1 s inside WALKER's box, which stays until 4 s; people ``then`` from 4 s
    on: the pixels of the spot that stand (``static``) at the end."""
    anchors = Anchors((40, 60))
    t = 0.0
    while t <= seconds:
        people = boxes(WALKER) if 0.5 <= t < 4.0 else then
        anchors.update(frame(t >= 1.0), t, people)
        t = round(t + STEP, 3)
    return anchors.static(t, static_s=5.0, presence=0.5).mask[SPOT]


@pytest.mark.parametrize(
    ("then", "stands"),
    [
        pytest.param(boxes(), True, id="the-walker-leaves"),
        pytest.param(boxes(WALKER), False, id="a-person-stays-there"),
        # conservative: someone standing over it may be the one it came up on (a detector's box for a
        # standing person can come and go); it stands once it shows with nobody over it
        pytest.param(boxes((0, 5, 40, 40)), False, id="someone-else-stands-over-it"),
    ],
)
def test_what_comes_up_on_a_person_stands_once_it_shows_with_nobody_over_it(
    then: np.ndarray, stands: bool
) -> None:
    spot = standing_after(then)
    assert spot.all() == stands and spot.any() == stands


def test_without_people_known_it_stands_after_static_s() -> None:
    anchors = Anchors((40, 60))
    for k in range(61):
        anchors.update(frame(k * STEP >= 1.0), k * STEP)
    assert anchors.static(12.0, static_s=5.0, presence=0.5).mask[SPOT].all()


def test_a_person_the_detector_misses_as_their_pixels_settle_is_still_unproven() -> None:
    """A talker's box is there while their pixels hold still, and missing (one frame) just as they have
    held still ``establish_s``: the anchor still came up on a person."""
    anchors = Anchors((40, 60))
    t = 0.0
    while t <= 12.0:
        missed = abs(t - 2.6) < 1e-6  # still since 1.0 s: an anchor at 2.5-2.6 s
        people = boxes() if missed else boxes(WALKER)
        anchors.update(frame(t >= 1.0), t, people)
        t = round(t + STEP, 3)
    assert not anchors.static(t, static_s=5.0, presence=0.5).mask[SPOT].any()


def test_a_standing_person_the_detector_blinks_on_for_half_a_second_is_still_unproven() -> None:
    """A detector misses a standing person for a frame or a few now and then; that much with nobody over
    them proves nothing (``proven_s``). Longer losses, when someone passes in front, are ``PeopleHold``'s:
    it keeps the person's box while someone found covers it."""
    anchors = Anchors((40, 60))
    t = 0.0
    while t <= 12.0:
        lost = 6.0 <= t < 6.6
        anchors.update(frame(t >= 1.0), t, boxes() if lost else boxes(WALKER))
        t = round(t + STEP, 3)
    assert not anchors.static(t, static_s=5.0, presence=0.5).mask[SPOT].any()


def test_an_item_hidden_by_people_standing_in_front_for_40_s_is_dated_to_when_it_first_showed() -> None:
    """Put down at 1 s, seen for a second, then two people stand talking in front of it until 42 s: it
    first holds still (an anchor) after they leave, and is dated from the look-back to about 1 s (a
    20 s look-back dated it 42 s)."""
    talker = (200.0, 40.0, 40.0)
    anchors = Anchors((40, 60), region=boxes((0, 0, 60, 40)))
    t = 0.0
    while t <= 50.0:
        fg = frame(t >= 1.0)
        if 2.0 <= t < 42.0:
            fg.image[SPOT] = talker
        anchors.update(fg, t, boxes((5, 0, 25, 30)) if 2.0 <= t < 42.0 else boxes())
        t = round(t + STEP, 3)
    assert anchors.valid[SPOT].all()
    assert np.all(np.abs(anchors.since[SPOT] - 0.9) <= 0.5), anchors.since[SPOT]


@pytest.mark.parametrize("waits", [True, False])
def test_a_third_value_under_people_waits_rather_than_push_out_an_item_seen_only_under_them(
    waits: bool,
) -> None:
    """252-0 (session 27): a talker stands on the spot (0.5–5 s), an item shows between their moves (5–9 s),
    the talker again (9–13 s), then someone else stands there (13–30 s); people's mask is over the spot
    all that time, so both the talker's value and the item's are unproven. The third value waits, so the
    item's stays aside, counted as hidden by people; when they leave (30 s) it comes back with its date
    and stands by 40 s. Pushed out, it is made again from the look-back with only the seconds it showed
    counted, and does not stand."""
    talker, other = (200.0, 40.0, 40.0), (30.0, 200.0, 60.0)
    anchors = Anchors((40, 60), AnchorParams(crowded_waits=waits), region=boxes((0, 0, 60, 40)))
    t = 0.0
    while t <= 40.0:
        fg = frame(t >= 0.5)
        if 0.5 <= t < 5.0 or 9.0 <= t < 13.0:
            fg.image[SPOT] = talker
        elif 13.0 <= t < 30.0:
            fg.image[SPOT] = other
        anchors.update(fg, t, boxes((5, 0, 25, 30)) if t < 30.0 else boxes())
        t = round(t + STEP, 3)
    standing = anchors.static(t, static_s=5.0, presence=0.5)
    if waits:
        assert standing.mask[SPOT].all()
        # dated between the floor last showing (0.4 s) and the item first showing (5 s): the middle
        assert np.allclose(standing.since[SPOT], 2.7, atol=0.3), standing.since[SPOT]
    else:
        assert not standing.mask[SPOT].any()


def test_an_item_two_people_stand_in_front_of_in_turn_stands_again_with_its_date_once_they_leave() -> None:
    """Put down at 1 s and in view until 5 s; one person stands in front of it until 15 s, another until
    27 s. Each holds still long enough to become an anchor: the second must not push the item out of
    the memory (only the person before it), and the time people hid it counts like time behind a walker.
    Once they leave it stands again, dated to about 1 s (it was lost, and stood only a static_s later,
    dated 27 s)."""
    first, second = (200.0, 40.0, 40.0), (30.0, 200.0, 60.0)
    anchors = Anchors((40, 60), region=boxes((0, 0, 60, 40)))
    t = 0.0
    while t <= 30.0:
        fg = frame(t >= 1.0)
        if 5.0 <= t < 27.0:
            fg.image[SPOT] = first if t < 15.0 else second
        anchors.update(fg, t, boxes((5, 0, 25, 30)) if 5.0 <= t < 27.0 else boxes())
        t = round(t + STEP, 3)
    standing = anchors.static(t, static_s=5.0, presence=0.5)
    assert standing.mask[SPOT].all()
    assert np.all(np.abs(standing.since[SPOT] - 1.0) <= 0.5), standing.since[SPOT]


LEGS = (30.0, 30.0, 30.0)


def since_after(
    anchors: Anchors, legs_over_spot: float, people_until: float, item_shows_between: bool
) -> np.ndarray:
    """Walk ``anchors`` to 10 s: the spot shows THING from 1 s; until ``legs_over_spot`` a person's legs
    swing over it every other frame (their silhouette on the spot in those frames, and in the others too
    unless ``item_shows_between``: what shows then is the item, between their legs); their box (the rule's
    grown mask) is over it until ``people_until``. The spot's anchors' dates."""
    t = 0.0
    while t <= 10.0:
        fg = frame(t >= 1.0)
        legs = 1.0 <= t < legs_over_spot and bool(round(t / STEP) % 2)
        if legs:
            fg.image[SPOT] = LEGS
        people = boxes(WALKER) if 1.0 <= t < people_until else boxes()
        on_spot = 1.0 <= t < legs_over_spot and (legs or not item_shows_between)
        anchors.update(fg, t, people, people if on_spot else boxes())
        t = round(t + STEP, 3)
    assert anchors.valid[SPOT].all()
    return anchors.since[SPOT]


@pytest.mark.parametrize("skips", [True, False])
def test_a_passer_by_dressed_in_the_items_colour_does_not_date_it_early_when_the_look_back_skips_people(
    skips: bool,
) -> None:
    """263-0 (session 30): someone dressed in the item's colour, legs swinging, walks over the spot from
    1 s; the item is set down there at 3 s while their box is still over it, and they leave at 3.6 s.
    Looking back (a frame every 0.5 s), their clothes show the item's colour with no empty floor after
    them, so the plain look-back dates the item between the floor (0.6 s) and their first such frame:
    about 1 s. Skipping the frames their silhouette covered the spot, it first showed at 3 s: dated
    between the floor and then, as the look-back dates whatever came while someone hid the spot."""
    anchors = Anchors((40, 60), AnchorParams(lookback_skips_people=skips), region=boxes((0, 0, 60, 40)))
    since = since_after(anchors, legs_over_spot=3.0, people_until=3.6, item_shows_between=False)
    if skips:
        assert np.all((since >= 1.7) & (since <= 2.2)), since
    else:
        assert np.all(since <= 1.1), since


def test_an_item_seen_only_between_legs_is_dated_by_those_frames_though_the_look_back_skips_people() -> None:
    """234-1 (session 29): an item set down at 1 s between a talker's legs shows only in the gaps, inside
    their box (the rule's mask) but not under their silhouette, until they leave at 6 s. Those frames
    date it, with people's frames skipped too: skipping every frame under the grown mask dated it from
    after they left (session 30)."""
    anchors = Anchors((40, 60), AnchorParams(lookback_skips_people=True), region=boxes((0, 0, 60, 40)))
    since = since_after(anchors, legs_over_spot=6.0, people_until=6.0, item_shows_between=True)
    assert np.all(since <= 1.2), since
