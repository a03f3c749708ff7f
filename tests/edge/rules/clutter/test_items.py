"""How tracked items' pixels lie to each other (the floor between them, a blob shared out among them), and
why one waits."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from edge.rules.clutter import ClutterParams, TrackedItem, Waits
from edge.rules.clutter.items import nearest_of, seen_apart, showed_with, waits


def test_a_piece_dated_after_it_first_showed_is_dated_by_when_it_showed_against_a_reported_item() -> None:
    """Regression (tuning clip 103-1, with ``proven_s`` 1 s and people held while someone walks in front
    of them): an item put down at 92.5 s, people stood on half of it until 107 s. That half's floor was
    never seen; its pixels' median date is 97.4 s, 5.1 s after the reported half's 92.3 s, but a good
    few of them showed by 94.4 s. By its date it was something new beside the item, and a second alert.
    An item is there by the time it shows: it showed with the item, so it is a piece of it."""
    reported = TrackedItem(id=3, zone="z", bbox=(0, 0, 20, 20), since_s=92.3, last_seen_s=119.0)
    piece = TrackedItem(id=5, zone="z", bbox=(0, 0, 8, 15), since_s=97.4, last_seen_s=119.0, shown_by_s=94.4)
    assert showed_with(piece, reported, 5.0)
    # dated as it showed (its date no later than its showing): its date says when it came
    assert not showed_with(replace(piece, since_s=94.4, shown_by_s=98.0), reported, 5.0)
    # dated after it showed, but it showed long after the item: something else
    assert not showed_with(replace(piece, since_s=104.0, shown_by_s=99.0), reported, 5.0)


def test_the_floor_between_two_items_says_they_are_apart_only_where_it_shows_with_nobody_on_it() -> None:
    """``seen_apart`` looks at the pixels within a person's reach of both items (``bridge_px``); a person
    standing there, or those pixels differing from the empty floor (a piece of an item not yet standing),
    say nothing. ``nearest_of`` then shares a blob across the gap out to each item by its last pixels."""

    def item(ident: int, x: int) -> TrackedItem:
        box = (float(x), 10.0, float(x + 6), 20.0)
        return TrackedItem(ident, "fire_lane", box, 0.0, 0.0, footprint=box, pixels=np.ones((10, 6), bool))

    left, right = item(1, 10), item(2, 19)  # columns 10-15 and 19-24: a gap of three columns
    differs = np.zeros((40, 40), bool)
    people = np.zeros((40, 40), bool)
    assert seen_apart(left, right, differs, people, reach=4, bare=0.2)
    assert seen_apart(left, right, differs, None, reach=4, bare=0.2)  # no person detector
    people[12, 17] = True
    assert not seen_apart(left, right, differs, people, reach=4, bare=0.2)  # someone on the gap
    differs[10:20, 16:19] = True
    assert not seen_apart(left, right, differs, None, reach=4, bare=0.2)  # no floor showing
    assert not seen_apart(left, item(3, 30), np.zeros_like(differs), None, reach=4, bare=0.2)  # too far
    seam = item(4, 17)  # columns 17-22: meets the left one along a seam a column wide (column 16)
    differs = np.zeros((40, 40), bool)
    differs[10:20, 10:23] = True  # one item, its two pieces and the seam between them; the floor around
    assert not seen_apart(left, seam, differs, None, reach=4, bare=0.2)  # the floor below both says nothing
    blob = np.ones((10, 15), bool)  # columns 10-24, the gap filled
    parts = nearest_of(blob, 10, 10, [left, right])
    # the middle column is as near to both: it goes to the first
    assert [(x, y, part.shape) for x, y, part in parts] == [(10, 10, (10, 8)), (18, 10, (10, 7))]


def test_motion_at_an_item_postpones_its_report_unless_it_is_people_in_front_or_their_edges() -> None:
    """An item past its dwell, in view, steady: reported unless something moves at it right now; motion
    inside the people found, or at the edge pixels the mask gave back (which move with them), does not
    count."""
    box = (10.0, 10.0, 20.0, 20.0)
    item = TrackedItem(1, "z", box, since_s=30.0, last_seen_s=60.0, footprint=box, visible=1.0, glimpse=1.0)
    p = ClutterParams()
    quiet = np.zeros((40, 40), bool)
    assert waits(item, p, 60.0, 20.0, quiet) == ""
    assert waits(item, p, 45.0, 20.0, quiet) == Waits.UNSEEN  # not seen on this frame
    assert waits(replace(item, last_seen_s=45.0), p, 45.0, 20.0, quiet) == Waits.DWELL
    assert waits(replace(item, steady_since_s=57.0), p, 60.0, 20.0, quiet) == Waits.UNSTEADY
    moving = quiet.copy()
    moving[8:22, 8:22] = True  # someone bending over it
    assert waits(item, p, 60.0, 20.0, moving) == Waits.MOVING
    left, right = quiet.copy(), quiet.copy()
    left[:, :15], right[:, 15:] = True, True
    assert waits(item, p, 60.0, 20.0, moving, people=left) == Waits.MOVING  # half of it is no person
    assert waits(item, p, 60.0, 20.0, moving, people=left, given_back=right) == ""
    assert waits(item, p, 60.0, 20.0, moving, people=left | right) == ""
