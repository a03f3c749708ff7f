"""When pixels came. Each standing pixel says "after the floor last showed here, by the time I first
showed" (a span); a blob's pixels are cut into pieces put down at different times, and two pieces are
told to have come together or one after the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from edge.rules.clutter.params import ClutterParams
from edge.rules.clutter.shapes import (
    closed_parts,
)


@dataclass(frozen=True)
class Span:
    """A date and the span that says so, of pixels that are not (yet) a blob."""

    since_s: float
    came_after_s: float
    shown_by_s: float


class Dated(Protocol):
    """A blob, a tracked item or a group of pixels: when it came, and the span that says so (after the
    floor last showed, by the time it first showed; NaN where the floor was not seen)."""

    @property
    def since_s(self) -> float: ...
    @property
    def came_after_s(self) -> float: ...
    @property
    def shown_by_s(self) -> float: ...


def seen_to_come(d: Dated, apart_s: float) -> bool:
    """The floor showed until moments (``apart_s``) before it first showed. NaN (floor not seen): no."""
    return d.shown_by_s - d.came_after_s <= apart_s


def hidden_long(d: Dated, gap_s: float) -> bool:
    """People hid its floor for longer than ``gap_s`` before it first showed. NaN: no."""
    return d.shown_by_s - d.came_after_s > gap_s


def holds(d: Dated, when_s: float) -> bool:
    """Could it have come at ``when_s``: after its floor last showed and by the time it first showed?
    NaN (floor not seen) holds nothing."""
    return d.came_after_s <= when_s <= d.shown_by_s


Dater = Callable[[np.ndarray], Span]


def split_by_date(
    pixels: np.ndarray,
    dated: np.ndarray,
    gap_s: float,
    dater: Dater | None = None,
    apart_s: float = 1.0,
    min_px: int = 1,
) -> list[tuple[int, int, np.ndarray]]:
    """Pieces of a blob put down at different times: touching items (a box set down against a bag that
    has stood there for a minute) are separate items, each with its own date, not one item re-dated to
    the newest. Dates are cut where sorted they jump by more than ``gap_s``; each date group's connected
    parts are pieces, as (x, y, pixels) within the blob's box. One date group: the blob as it is.

    A pixel's date is the middle of its span (after the floor last showed, by the time it first showed),
    and where people hid the floor for long before an item came, that middle is far from the item's other
    pixels'. ``dater`` gives a group's ``Span`` (since, came after, shown by) from its pixels (a mask of
    the blob's box): a group next in date whose span meets the one before and that first showed with it
    (within ``gap_s``) is the same item; so is one whose span meets it where one of the two was seen to
    come (span within ``apart_s``), the other's span is wider than ``gap_s`` and one of them has fewer
    than ``min_px`` pixels: the part of an item in view beside someone who stood in front of the rest
    dates all of it (the rest's date is only the middle of the time people hid its floor), and alone one
    of them would be dropped as too small. So is one hidden all the while (span wider than ``gap_s``)
    whose span holds the date of the other, seen to come (``came_while_hidden``): the part of an item a
    crowd hid as it was put down, of any size. Two groups neither of which was seen to come stay apart
    (what people who stood there left in the anchors). A group whose halves' spans lie ``apart_s`` apart
    is two (``split_apart``)."""
    dates = dated[pixels]
    if dates.size == 0:
        return []
    ordered = np.sort(dates)
    cuts = ordered[1:][np.diff(ordered) > gap_s]
    group = np.searchsorted(cuts, dated, side="right")
    if dater is not None:
        joined = np.arange(cuts.size + 1)
        if cuts.size:
            count = np.bincount(group[pixels], minlength=cuts.size + 1)  # pixels per date group
            last = dater(pixels & (group == 0))
            for g in range(1, cuts.size + 1):
                this = dater(pixels & (group == g))
                together = abs(this.shown_by_s - last.shown_by_s) <= gap_s or came_while_hidden(
                    last, this, apart_s, gap_s
                )
                if not together:
                    small = min(int(count[:g][joined[:g] == joined[g - 1]].sum()), int(count[g]))
                    # one was seen to come, the other hidden for long, and one of the two is too small
                    # to be an item alone
                    together = small < min_px and any(
                        seen_to_come(seen, apart_s) and hidden_long(hidden, gap_s)
                        for seen, hidden in ((last, this), (this, last))
                    )
                if together and not one_after_other(last, this, 0.0):  # their spans meet
                    joined[g] = joined[g - 1]
                    last = dater(pixels & (joined[group] == joined[g]))
                else:
                    last = this
        group = split_apart(pixels, dated, joined[group], dater, apart_s, min_px, gap_s)
    if cuts.size == 0 and not (group[pixels] > 0).any():
        return [(0, 0, pixels)]
    return [
        (x, y, part)
        for g in np.unique(group[pixels])
        for x, y, _area, part in closed_parts(pixels & (group == g))
    ]


def spans_apart(a: Dated, b: Dated, apart_s: float) -> bool:
    """Were both seen to come (the floor showed until moments before each first showed: spans no wider
    than ``apart_s``), one first showing more than ``apart_s`` before the floor last showed at the other?
    Then they came one after the other. Every pixel of one item says "after the floor last showed, by the
    time I first showed" about the same moment, so their spans meet; but where people stood over a spot
    when it came, its floor may seem to show later than it did (clothes the colour of the floor), and
    only a sharp span can be trusted. NaN (floor not seen): no bound, not apart."""
    sharp = seen_to_come(a, apart_s) and seen_to_come(b, apart_s)
    return sharp and one_after_other(a, b, apart_s)


def one_after_other(a: Dated, b: Dated, gap_s: float) -> bool:
    """Did the floor show at one more than ``gap_s`` after the other first showed (at 0: their spans do
    not meet)? NaN: no bound, no."""
    return bool(b.came_after_s > a.shown_by_s + gap_s or a.came_after_s > b.shown_by_s + gap_s)


def came_together(a: Dated, b: Dated, p: ClutterParams) -> bool:
    """Dated within ``same_item_s`` of each other, and their spans meet (``spans_apart``): pieces of one
    item, not one put down against the other seconds later."""
    return abs(a.since_s - b.since_s) <= p.same_item_s and not spans_apart(a, b, p.apart_s)


def came_while_hidden(a: Dated, b: Dated, apart_s: float, gap_s: float) -> bool:
    """Of two date groups, was one seen to come (span within ``apart_s``) at a moment the other's span,
    wider than ``gap_s`` (people hid its floor all the while), holds, and did the other show within two
    ``gap_s`` of that? Then the hidden one came with it, and the crowd that stood on it moved off soon
    after. What first showed long after is something put down later under the crowd. NaN (floor never
    seen) holds nothing: False."""
    return any(
        seen_to_come(seen, apart_s)
        and hidden_long(hidden, gap_s)
        and holds(hidden, seen.since_s)
        and hidden.shown_by_s <= seen.since_s + 2 * gap_s
        for seen, hidden in ((a, b), (b, a))
    )


def split_apart(
    pixels: np.ndarray,
    dated: np.ndarray,
    group: np.ndarray,
    dater: Dater,
    apart_s: float,
    min_px: int,
    far_s: float = float("inf"),
) -> np.ndarray:
    """Each date group cut in two at its dates' Otsu threshold where the two halves' spans lie apart
    (``spans_apart``), or far apart whether sharp or not (``far_s``: the floor showed at one more than
    that after the other first showed): two touching items put down seconds apart (a pair set down one
    after the other) have dates that run into each other, so no jump in them shows; their spans do not
    meet. Where people hid an item for long, the middles of its pixels' spans spread over all that time
    and run into a neighbour's put down ten seconds later. Halves of fewer than ``min_px`` pixels are
    never cut off. Returns the refined group labels."""
    refined = group.copy()
    label = int(group[pixels].max()) + 1
    for g in np.unique(group[pixels]):
        inside = pixels & (group == g)
        dates = np.sort(dated[inside])
        if dates.size < 2 * min_px or dates[-1] - dates[0] <= apart_s:
            continue
        n = np.arange(1, dates.size)
        low_sum = np.cumsum(dates)[:-1]
        low_mean = low_sum / n
        high_mean = (dates.sum() - low_sum) / (dates.size - n)
        between = n * (dates.size - n) * (high_mean - low_mean) ** 2
        between[(n < min_px) | (dates.size - n < min_px) | (np.diff(dates) <= 0)] = -1.0
        k = int(np.argmax(between))
        if between[k] < 0:
            continue
        late = inside & (dated > dates[k])
        early, later = dater(inside & ~late), dater(late)
        if one_after_other(early, later, far_s) or spans_apart(early, later, apart_s):
            refined[late] = label
            label += 1
    return refined


def pixels_hold(floor_s: np.ndarray, shown_s: np.ndarray, when_s: float, share: float) -> bool:
    """Could ``share`` of a group of pixels (when the floor last showed at each, when each first showed)
    have come at ``when_s``? The part of an item people stood in front of as it came is dated by the few
    pixels between their legs where the floor seemed to show later; the rest of it, hidden all the while,
    holds the date of the part already reported. Something put down beside it later lets the floor show
    at most of its pixels after that. NaN (floor not seen) holds nothing; no pixels: no."""
    if not floor_s.size:
        return False
    with np.errstate(invalid="ignore"):
        could = (floor_s <= when_s) & (when_s <= shown_s)
    return float(could.mean()) >= share


def date_pixels(p: ClutterParams, since: np.ndarray, floor_s: np.ndarray, shown_s: np.ndarray) -> Span:
    """When a blob's item was put down, and the span that says so.

    Each pixel says: after the floor last showed here, by the time it first showed here. All its
    pixels came at once, so the spans overlap; where people hid most of it for a while (a far item in
    a crowd), the few pixels that showed early date it (a handful, ``shown_px``, when the rest showed
    long after: a strip beside someone who then stood over it), and the middle of the overlap errs
    least.
    Spans that do not overlap (or floor seen at too few pixels): a blob that took in pixels of
    something else (the spot talkers stood on, which never shows the learned floor again); if a good
    few of its pixels were seen to come (sharp spans, ``apart_s``) and agree, they date it; else the
    median pixel's date."""
    known = floor_s[~np.isnan(floor_s)]
    by = float(np.percentile(shown_s, p.shown_percentile))
    if shown_s.size > p.shown_px:
        handful = float(np.partition(shown_s, p.shown_px - 1)[p.shown_px - 1])
        if by - handful > p.same_item_s:
            by = handful
    if known.size >= max(3, since.size // 4):
        after = float(np.percentile(known, p.floor_percentile))
        if after <= by:
            return Span((after + by) / 2, after, by)
    with np.errstate(invalid="ignore"):
        sharp = shown_s - floor_s <= p.apart_s  # NaN (floor not seen): not sharp
    if sharp.sum() >= max(p.sharp_px, p.sharp_share * since.size):
        came = (floor_s[sharp] + shown_s[sharp]) / 2
        low, high = np.percentile(came, [25, 75])
        if high - low <= p.apart_s:
            return Span(float(np.median(came)), float("nan"), by)
    return Span(float(np.percentile(since, p.since_percentile)), float("nan"), by)
