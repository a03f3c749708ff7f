"""When pixels came: a blob cut by date, pieces that came together joined, pixels dated by their spans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from edge.rules.clutter import ClutterParams
from edge.rules.clutter.spans import Span, came_while_hidden, date_pixels, pixels_hold, split_by_date

# the pixel counts these spans were drawn for (the rule tuned at 320 px)
AT_320 = ClutterParams.at_width(320)


def spans_dater(after: np.ndarray, by: np.ndarray) -> Callable[[np.ndarray], Span]:
    """A ``dater`` for ``split_by_date`` over per-pixel spans: a group came after the latest floor and
    by the earliest first showing of its pixels."""

    def date(group: np.ndarray) -> Span:
        a, b = float(after[group].max()), float(by[group].min())
        return Span((a + b) / 2, a, b)

    return date


def test_pixels_whose_floor_people_hid_for_long_stay_with_the_item_they_came_with() -> None:
    """Regression (generated clip 73-1): an item put down at 105 s in front of people who had stood on
    its spot since 65 s. Where their legs hid the floor, its pixels say "after 65 s, by 105 s" (dated
    85 s); elsewhere "after 105 s, by 105 s". Cut by date, the first became an item of its own, reported
    20 s early (a false alert and a miss). Their spans meet and they first showed together: one item."""
    pixels = np.ones((6, 8), bool)
    after = np.full(pixels.shape, 105.0)
    by = np.full(pixels.shape, 105.4)
    after[:, :5] = 65.0  # the legs hid the floor here
    dated = (after + by) / 2
    assert len(split_by_date(pixels, dated, 5.0)) == 2  # by date alone
    assert len(split_by_date(pixels, dated, 5.0, spans_dater(after, by))) == 1


def test_a_piece_most_of_whose_pixels_could_have_come_with_a_reported_item_holds_its_date() -> None:
    """124-1 with a narrower people mask: the part of an item a talker hid as it came (floor last seen at
    67 s, first shown at 112 s) holds the reported part's date (94.7 s), though a few pixels between the
    talker's legs saw the floor at 98 s. Something put down beside it at 104 s let the floor show at most
    of its pixels after 94.7 s; pixels whose floor was never seen hold nothing."""
    floor = np.array([66.8, 66.8, 67.4, 67.4, 67.4, 98.0, 111.8], np.float32)
    shown = np.array([112.0, 112.0, 112.0, 112.0, 104.6, 104.6, 112.7], np.float32)
    assert pixels_hold(floor, shown, 94.7, 0.5)
    assert not pixels_hold(floor, shown, 94.7, 0.8)  # five of seven
    beside = np.array([103.8, 103.9, 104.0, 103.9, 66.8], np.float32)
    assert not pixels_hold(beside, np.full(5, 104.2, np.float32), 94.7, 0.5)
    assert not pixels_hold(np.full(4, np.nan, np.float32), np.full(4, 112.0, np.float32), 94.7, 0.5)
    assert not pixels_hold(np.zeros(0, np.float32), np.zeros(0, np.float32), 94.7, 0.5)


def test_an_item_put_down_against_one_standing_there_is_still_its_own_piece() -> None:
    """A box set down at 60 s against a bag that came at 20 s: their spans do not meet, two pieces; and
    something that first showed 30 s after the bag, however wide its span, is not the bag."""
    pixels = np.ones((6, 8), bool)
    after = np.full(pixels.shape, 19.5)
    by = np.full(pixels.shape, 20.0)
    after[:, 4:], by[:, 4:] = 59.5, 60.0
    assert len(split_by_date(pixels, (after + by) / 2, 5.0, spans_dater(after, by))) == 2
    after[:, 4:] = 10.0  # the floor there last showed before the bag came
    assert len(split_by_date(pixels, (after + by) / 2, 5.0, spans_dater(after, by))) == 2


def test_the_part_of_an_item_a_crowd_hid_as_it_came_is_joined_to_the_part_seen_to_come() -> None:
    """Regression (clip 254-0, people's sure silhouettes skipped in the look-back): an item put down at
    81.8 s among talkers who had stood there since 43.8 s. Its left part was seen to come (after 81.5 s,
    by 81.6 s); people hid its right part's floor from 43.4 s until it showed at 87.2 s, so that part is
    dated to the middle, 65.3 s, and made an item of its own, reported before the item (a false alert).
    Its span holds the moment the rest came and it showed 5.6 s after: it came with it. Shown 40 s after,
    it is something put down later under the crowd (``..._still_its_own_piece`` above)."""
    pixels = np.ones((6, 10), bool)
    after = np.full(pixels.shape, 81.5)
    by = np.full(pixels.shape, 81.6)
    after[:, 6:], by[:, 6:] = 43.4, 87.2
    dated = (after + by) / 2
    dater = spans_dater(after, by)
    assert len(split_by_date(pixels, dated, 5.0)) == 2  # by date alone
    assert len(split_by_date(pixels, dated, 5.0, dater, apart_s=1.0, min_px=8)) == 1
    seen, hidden = Span(81.55, 81.5, 81.6), Span(65.3, 43.4, 87.2)
    assert came_while_hidden(seen, hidden, 1.0, 5.0)
    assert came_while_hidden(hidden, seen, 1.0, 5.0)  # either way round
    assert not came_while_hidden(seen, replace(hidden, shown_by_s=81.5), 1.0, 5.0)  # hidden till before
    assert not came_while_hidden(seen, Span(85.0, 83.0, 87.2), 1.0, 5.0)  # not hidden for long
    unsharp = replace(seen, came_after_s=80.0, shown_by_s=83.1)
    assert not came_while_hidden(unsharp, hidden, 1.0, 5.0)  # nor seen to come
    assert not came_while_hidden(seen, Span(68.0, 43.4, 92.0), 1.0, 5.0)  # shown 10.4 s after
    assert not came_while_hidden(seen, Span(np.nan, np.nan, 87.2), 1.0, 5.0)  # floor not seen
    by[:, 6:] = 92.0  # the right part showed 10.4 s after the rest came
    after[:, 6:] = 43.4
    assert len(split_by_date(pixels, (after + by) / 2, 5.0, spans_dater(after, by), 1.0, 8)) == 2


def test_touching_items_put_down_seconds_apart_are_two_pieces_though_their_dates_run_together() -> None:
    """Regression (clip 161-1): two items set down 3.1 s apart, one right behind the other. Their pixels'
    dates run into each other (no jump of ``same_item_s``), but the later one's floor last showed after
    the first had shown itself at every pixel of it: their spans lie apart. One item whose pixels' dates
    spread as widely, all of whose spans hold the moment it came, stays one piece."""
    pixels = np.ones((6, 8), bool)
    after = np.full(pixels.shape, 31.4)
    by = np.full(pixels.shape, 31.6)
    after[:, 4:], by[:, 4:] = 34.4, 35.0
    dated = (after + by) / 2 + np.linspace(-1.2, 1.2, pixels.size).reshape(pixels.shape)  # noisy dates
    assert np.diff(np.sort(dated.ravel())).max() < 1.5
    assert len(split_by_date(pixels, dated, 5.0)) == 1  # by date alone
    assert len(split_by_date(pixels, dated, 5.0, spans_dater(after, by), apart_s=1.0, min_px=8)) == 2
    after = np.full(pixels.shape, 29.0)
    after[:, 4:] = 31.0
    by = np.full(pixels.shape, 32.0)
    by[:, 4:] = 34.0  # every span holds 31.5 s
    assert len(split_by_date(pixels, dated, 5.0, spans_dater(after, by), apart_s=1.0, min_px=8)) == 1


def test_items_put_down_ten_seconds_apart_under_a_crowd_are_two_though_neither_was_seen_to_come() -> None:
    """Regression (clip 212-0): an item set down at 102 s under a crowd, and one touching it at 114.5 s.
    People hid both while they came: neither half's span is sharp, and the first item's pixels hidden
    longest are dated in between, so the dates run together. But the floor last showed at the second
    more than ``same_item_s`` after the first had shown itself: they came one after the other. One item
    whose pixels' spans are as wide but all hold the moment it came stays one piece."""
    pixels = np.ones((8, 8), bool)
    after = np.full(pixels.shape, 98.6)
    by = np.full(pixels.shape, 104.8)
    after[:2, :], by[:2, :] = 93.0, 120.0  # the first item's part hidden longest
    after[4:, :], by[4:, :] = 111.8, 115.0  # the second item
    after[4:6, :] = 107.0  # part of it hidden from a little earlier
    dated = (after + by) / 2
    assert np.diff(np.sort(dated.ravel())).max() < 5.0  # no jump in the dates
    dater = spans_dater(after, by)
    assert len(split_by_date(pixels, dated, 5.0, dater, apart_s=1.0, min_px=8)) == 2
    one_after = np.where(after > 100, 101.0, after)  # every span holds 102 s
    one_by = np.where(by < 110, 104.8, np.minimum(by, 108.0))
    one_dated = (one_after + one_by) / 2
    assert len(split_by_date(pixels, one_dated, 5.0, spans_dater(one_after, one_by), 1.0, 8)) == 1


def test_a_blob_that_took_in_another_things_pixels_is_dated_by_its_pixels_seen_to_come() -> None:
    """Regression (clip 173-1): a far item set down at 105.7 s next to where two people had stood talking
    until 98 s; its blob took in pixels of their spot, which show something since about 101 s and the
    floor last at 35-45 s. The spans disagree (no overlap), and the median pixel dated the item 2.9 s
    early. The pixels seen to come (the floor until 105.2 s, the item from 105.8 s) date it; a stray one or
    two do not."""
    rng = np.random.default_rng(3)
    floor_s = np.concatenate([np.full(17, 105.2), rng.uniform(35, 45, 50), np.full(25, 104.0)])
    shown_s = np.concatenate([np.full(17, 105.8), rng.uniform(100, 102.5, 50), np.full(25, 109.4)])
    since = np.concatenate([np.full(17, 105.5), rng.uniform(100.5, 102.5, 50), np.full(25, 106.7)])
    assert abs(float(np.median(since)) - 105.7) > 2.5  # what the median pixel says
    assert date_pixels(AT_320, since, floor_s, shown_s).since_s == pytest.approx(105.5)
    floor_s[2:17], shown_s[2:17], since[2:17] = 40.0, 101.0, 101.0  # two pixels seen to come: not enough
    assert date_pixels(AT_320, since, floor_s, shown_s).since_s == pytest.approx(float(np.median(since)))
