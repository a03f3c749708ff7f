"""``corridor_clutter``: something has stood in an escape route for longer than the zone's ``dwell_s``.

Model-free: each frame is compared with a learned empty corridor in a reference lighting
(``EmptyBackground``), and per pixel we keep what has stood still on it and since when (``Anchors``):
walking people never hold a pixel still, items do, and an item's anchor survives people passing or
standing in front of it. Pixels whose anchor is ``static_s`` old and was in view for most of the time
since it first showed form blobs; each blob is tracked by overlap as one *item* dated to when it was put
down, not when we noticed: each pixel says "after the floor last showed here, by the time I first
showed", and the item came where those spans overlap. Pixels of it that people hid for most of the time
since they first showed do not stand, but they still say when it came (a crowd that hid it from just
after it was put down would otherwise date it to when the crowd left). Two touching items set down
seconds apart are two items when both were seen to come (sharp spans) and their spans lie apart. A
neighbour people hid from when it came, which starts to stand only once an item beside it is tracked,
joins that item's blob dated to its own time: the blob hands the item's pixels back (``_hand_back``).

An item is reported once it has stood ``dwell_s`` and behaves like a thing, not like people: its blob
showed in nearly every frame, kept its box, did not show the empty floor through itself (traces of
passers-by at a busy far end do), is in view, and nothing is moving at it right now (the report waits
for a quiet frame; people the detector found are in front of it, and their motion does not count).
From its alert on, its pixels are its own: they never form a new blob, so a split or a re-detection
cannot alert twice, while a new item put down next to it still can. It is forgotten when its pixels
have shown the empty corridor ``hold_s`` on end (taken away). Optionally a detector must confirm the
blob.

With a person detector (``people``), people are known for what they are: what shows inside their boxes
never starts an item, and a person standing in front of an item counts like a passer-by (``Anchors``).
Without one the rule tells people from things by how they hold still alone, which a crowd at the far end
of a corridor defeats now and then (benchmarks/RESULTS.md). The detector only runs on frames where
something in the zones differs from the empty corridor.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np

from edge.analyzer import AlertDraft
from edge.evidence import snapshot
from edge.rules.anchors import AnchorLayer, AnchorParams, Anchors, Standing
from edge.rules.background import BackgroundParams, EmptyBackground, Foreground, channel_max_absdiff
from edge.rules.people import (
    PeopleFinder,
    PeopleHold,
    PeopleParams,
    PeopleShapes,
    distinct_edge,
    mixed_edge,
    people_mask,
    silhouette_layers,
)
from edge.zonemask import Polygon, analysis_size, analysis_window, polygon_mask, zone_mask
from sharpeyes.config import CameraConfig, Zone
from sharpeyes.contract import AlertKind, Severity
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.logs import fields
from sharpeyes.timefmt import EPOCH, seconds

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class ClutterParams:
    # analysis width in pixels: 480, not 320, so a strip of an item between a standing person's legs
    # keeps its own colour (RESULTS.md, session 29); the pixel counts and distances below are for this
    # width (``at_width`` gives them for another)
    width: int = 480
    static_s: float = 5.0  # an anchor this old can belong to an item (people pause for less)
    presence: float = 0.5  # ... if it was in view for this share of the time since it first showed
    # an item is reported while this share of it shows itself, of the pixels no person stands in front
    # of (someone who stopped at an item may stay until it is taken away) ...
    visible: float = 0.5
    glimpse: float = 0.25  # ... and this share of all its pixels,
    # ... or this share, where it has kept the box it had when first tracked: strips between a standing
    # person's legs, a pixel or two wide at analysis size and blurred at their edges (0.11-0.15 of an item
    # the clips' truth counts a quarter seen, 31-0), are enough; a box that changed while people stood
    # over it, maybe what is left where an item was taken away (124-0), still needs ``glimpse``. On by
    # default since session 34, after a run on every clip (RESULTS.md, sessions 33-34); ``glimpse``
    # turns it off
    glimpse_kept: float = 0.1
    since_percentile: float = 50.0  # of its pixels' dates, when their floor-to-shown spans disagree
    floor_percentile: float = 80.0  # it came after the floor last showed at nearly all its pixels
    shown_percentile: float = 20.0  # ... and by the time it first showed at a good few of them
    # ... or at this many, if that was long before (same_item_s): a strip of it showed beside someone
    # who then hid the rest of it (a handful of pixels showing a second early is only someone moving off)
    shown_px: int = 18
    ghost_match: float = 10.0  # a still patch this close to the floor around it is bare floor
    min_area_fraction: float = 0.0008  # of the analysed frame (about 104 px at 480x270)
    hold_s: float = 3.0  # an item whose blob has been gone this long has been removed
    bare_share: float = 0.2  # an alerted item's box with fewer differing pixels shows the empty floor
    bare_view: float = 0.3  # ... judged from the pixels no person stands on, when this share of it
    bare_blob: float = 0.3  # a blob showing the empty floor over this share is not standing there
    steady_iou: float = 0.6  # a blob box this close to the item's footprint keeps its shape
    steady_s: float = 5.0  # ... and must have kept it this long to be reported
    seen_share: float = 0.8  # of the frames since it was first seen, its blob showed in this share
    bridge_px: int = 6  # parts a person's pixels join are one if this near them (a leg's width)
    same_item_s: float = 5.0  # touching candidates dated this close together are one item ...
    # ... unless the empty floor was seen between them with nobody on it (``_seen_apart``): then a person
    # later standing across the gap, or their dates, never make them one (RESULTS.md, session 28)
    keep_apart: bool = True
    apart_share: float = 0.5  # ... the floor between them (their hull) differing at fewer of its pixels
    apart_s: float = 1.0  # ... unless both were seen to come this sharply, this far apart (``_spans_apart``)
    sharp_share: float = 0.1  # spans that disagree: pixels seen to come (``apart_s``) date it if this many
    sharp_px: int = 18  # ... and at least this many
    # a candidate touching a reported item is a piece of it if this share of its pixels could have come
    # when it did (``ClutterRule._mostly_holds``); None: off, the rule up to session 37 (RESULTS.md,
    # sessions 37–38: with ``PeopleParams.distinct_tolerance`` it keeps 173-1's item one)
    piece_holds: float | None = 0.5
    in_front: float = 0.2  # a candidate overlapping a reported item's box this much may stand in front
    beside_dwells: float = 2.0  # ... and one touching it (no person detector) this many dwells, unless
    beside_in_view: float = 0.6  # ... this share of the reported item shows itself (nobody in front)
    moving_margin: int = 5  # pixels around the box where motion postpones the report
    moving_share: float = 0.02  # of the box and margin's pixels that may be changing right now
    snapshot_max_bytes: int = 120_000
    # the analysis image is blurred again beside the people found, among the pixels nobody stands on, so
    # a floor pixel there keeps its own colour and a standing person's edge cannot stand as an item
    # (``PeopleParams.grow_chance`` leaves those pixels open; RESULTS.md, sessions 25–26)
    blur_among_free: bool = True
    background: BackgroundParams = field(default_factory=BackgroundParams)
    anchors: AnchorParams = field(default_factory=AnchorParams)
    people: PeopleParams = field(default_factory=lambda: PeopleParams(grow_px=2))

    @classmethod
    def at_width(cls, width: int) -> ClutterParams:
        """The defaults for another analysis width: the distances in pixels scaled with it (rounded up),
        the pixel counts with its square, from the values tuned at 320 (sessions 1-28; ``at_width(320)``
        is the rule as it was up to session 28)."""
        k = width / 320

        def length(px: int) -> int:
            return math.ceil(px * k - 1e-9)

        def count(px: int) -> int:
            return round(px * k * k)

        return cls(
            width=width,
            shown_px=count(8),
            bridge_px=length(4),
            sharp_px=count(8),
            moving_margin=length(3),
            people=PeopleParams(grow_px=length(1)),
        )


class ItemConfirmer(Protocol):
    """Optional second opinion: does the box (full-resolution pixels) hold an object of a wanted class?"""

    def confirm(self, frame: np.ndarray, bbox: BBox) -> bool: ...


class Waits:
    """Why a tracked item is not reported yet (``TrackedItem.waiting``), in the order the rule asks."""

    UNSEEN = "not seen now"
    DWELL = "not stood dwell_s yet"
    HIDDEN = "hidden (visible, glimpse)"
    SELDOM = "seen too seldom (seen_share)"
    UNSTEADY = "box not kept steady_s"
    MOVING = "someone moving at it"
    BESIDE = "at a reported item"
    UNCONFIRMED = "not confirmed by the detector"


@dataclass
class TrackedItem:
    id: int
    zone: str
    bbox: BBox  # this frame's blob (pieces joined), analysis pixels
    since_s: float
    last_seen_s: float
    first_seen_s: float = 0.0
    came_after_s: float = float("nan")  # it came after the floor last showed here ...
    shown_by_s: float = 0.0  # ... and by the time it first showed (``since`` lies between)
    footprint: BBox = (0.0, 0.0, 0.0, 0.0)  # the box it has kept; replaced when its shape changes
    steady_since_s: float = 0.0  # since when the box has kept its footprint
    frames: int = 0  # analysed frames since first seen
    seen: int = 0  # ... of which its blob showed
    alerted: bool = False
    waiting: str = ""  # unreported: why it was not reported on the last frame (``Waits``)
    contrast: float = 0.0
    visible: float = 0.0
    glimpse: float = 0.0
    bare_s: float = 0.0  # alerted: how long its pixels have shown the empty corridor on end
    pixels: np.ndarray | None = None  # its last blob's pixels within ``bbox``; once alerted, owned
    core: np.ndarray | None = None  # alerted: its blob's pixels when reported (``pixels`` less the fringe)
    look: np.ndarray | None = None  # alerted: what its box shows when nobody is in front (followed slowly)
    # ids of the items it was seen apart from: the empty floor showed between them (``_seen_apart``)
    apart: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Blob:
    bbox: BBox
    area: int
    since_s: float
    contrast: float
    visible: float  # share of its pixels that show their anchor right now, of those nobody stands in front of
    glimpse: float  # ... of all its pixels
    bare: float  # share of its pixels that show the empty corridor right now
    zone_index: int
    came_after_s: float  # the empty floor showed at nearly all its pixels until then (NaN: not seen)
    shown_by_s: float  # ... and it showed itself at a good few of them by then
    pixels: np.ndarray  # bool, the blob's pixels within ``bbox``


@dataclass(frozen=True)
class RegionState:
    """What the rule holds over a region of the frame, as shares of its pixels: for tracing why an item
    was (not) reported (``benchmarks/clutter_trace.py``)."""

    anchored: float  # hold an anchor (something has stood still there)
    showing: float  # ... whose anchor shows right now
    unproven: float  # ... that came up on a person and has not yet shown itself without them
    standing: float  # ... that stands: old enough, in view enough, proven (``Anchors.static``)
    people: float  # inside someone's box now
    since_s: float  # the median anchor's date (NaN: none)
    items: tuple[TrackedItem, ...]  # items tracked over the region


@dataclass(frozen=True)
class RegionPixels:
    """``RegionState`` pixel by pixel, over the analysis pixels ``box`` (x0, y0, x1, y1): both anchors,
    which pixels stand, show their anchor now, and lie under a person now, and what they show now."""

    box: tuple[int, int, int, int]
    anchor: AnchorLayer
    aside: AnchorLayer
    standing: np.ndarray
    showing: np.ndarray
    people: np.ndarray
    image: np.ndarray  # (h, w, 3): the analysed frame, as the anchors compare it


def _blur_among(image: np.ndarray, free: np.ndarray) -> np.ndarray:
    """``image`` blurred as the rule blurs (3x3 Gaussian), each pixel among the ``free`` pixels only (a
    convolution normalised by their weight): nothing of a person's colour reaches the floor beside them."""
    weight = free.astype(np.float32)
    total = np.maximum(cv2.GaussianBlur(weight, (3, 3), 0), 1e-6)
    return np.asarray(cv2.GaussianBlur(image * weight[:, :, None], (3, 3), 0) / total[:, :, None], np.float32)


def _overlap(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1e-6)


def _union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _iou(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _grow(bbox: BBox, m: float) -> BBox:
    return (bbox[0] - m, bbox[1] - m, bbox[2] + m, bbox[3] + m)


def _slice(bbox: BBox, shape: tuple[int, ...], margin: int = 0) -> tuple[slice, slice]:
    x0, y0, x1, y1 = (round(v) for v in bbox)
    return (
        slice(max(0, y0 - margin), min(shape[0], y1 + margin)),
        slice(max(0, x0 - margin), min(shape[1], x1 + margin)),
    )


_KERNEL = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def _closed_parts(
    mask: np.ndarray, min_area: float = 0.0, bridge: np.ndarray | None = None, reach: int = 0
) -> list[tuple[int, int, int, np.ndarray]]:
    """Connected parts of ``mask`` after a 3x3 closing (gaps of a pixel bridged), those of at least
    ``min_area`` closed pixels, as (x, y, closed area, the part's own ``mask`` pixels within its box).
    Parts that only ``bridge`` pixels join (a person standing over an item splits it into what shows
    beside and between their legs) are one part, if they come within ``2 * reach`` pixels of each other
    across the bridge (0: any distance). A person is far bigger than the gap their legs make; across the
    whole of someone, things metres apart would be joined."""
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, _KERNEL)
    if bridge is not None and reach > 0:
        near = cv2.dilate(closed, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        bridge = bridge & (near > 0)
    joined = closed if bridge is None else closed | bridge.astype(np.uint8)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if bridge is not None:
        areas = np.bincount(comp[closed > 0], minlength=count)
    parts = []
    for k in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[k])
        if bridge is not None:
            area = int(areas[k])
        if area < min_area or not area:
            continue
        own = (comp[y : y + h, x : x + w] == k) & mask[y : y + h, x : x + w]
        if bridge is not None:  # the joined part's box holds the person too: its own pixels' box
            ys, xs = np.nonzero(own)
            if not len(ys):
                continue
            own = own[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            x, y = x + int(xs.min()), y + int(ys.min())
        parts.append((x, y, area, own))
    return parts


def _placed(
    pixels: np.ndarray, x: int, y: int, margin_y: int, margin_x: int, shape: tuple[int, ...]
) -> tuple[slice, slice, np.ndarray]:
    """A window of an image ``shape`` around a blob or an item (its ``pixels`` with their box at ``x``,
    ``y``), grown by the margins and clipped: (rows, cols, the pixels within the window)."""
    h, w = pixels.shape
    rows = slice(max(0, y - margin_y), min(shape[0], y + h + margin_y))
    cols = slice(max(0, x - margin_x), min(shape[1], x + w + margin_x))
    placed = np.zeros((rows.stop - rows.start, cols.stop - cols.start), bool)
    placed[y - rows.start : y - rows.start + h, x - cols.start : x - cols.start + w] = pixels
    return rows, cols, placed


@dataclass(frozen=True)
class _Span:
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


def _seen_to_come(d: Dated, apart_s: float) -> bool:
    """The floor showed until moments (``apart_s``) before it first showed. NaN (floor not seen): no."""
    return d.shown_by_s - d.came_after_s <= apart_s


def _hidden_long(d: Dated, gap_s: float) -> bool:
    """People hid its floor for longer than ``gap_s`` before it first showed. NaN: no."""
    return d.shown_by_s - d.came_after_s > gap_s


def _holds(d: Dated, when_s: float) -> bool:
    """Could it have come at ``when_s``: after its floor last showed and by the time it first showed?
    NaN (floor not seen) holds nothing."""
    return d.came_after_s <= when_s <= d.shown_by_s


Dater = Callable[[np.ndarray], _Span]


def _split_by_date(
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
    pixels'. ``dater`` gives a group's ``_Span`` (since, came after, shown by) from its pixels (a mask of
    the blob's box): a group next in date whose span meets the one before and that first showed with it
    (within ``gap_s``) is the same item; so is one whose span meets it where one of the two was seen to
    come (span within ``apart_s``), the other's span is wider than ``gap_s`` and one of them has fewer
    than ``min_px`` pixels: the part of an item in view beside someone who stood in front of the rest
    dates all of it (the rest's date is only the middle of the time people hid its floor), and alone one
    of them would be dropped as too small. So is one hidden all the while (span wider than ``gap_s``)
    whose span holds the date of the other, seen to come (``_came_while_hidden``): the part of an item a
    crowd hid as it was put down, of any size. Two groups neither of which was seen to come stay apart
    (what people who stood there left in the anchors). A group whose halves' spans lie ``apart_s`` apart
    is two (``_split_apart``)."""
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
                together = abs(this.shown_by_s - last.shown_by_s) <= gap_s or _came_while_hidden(
                    last, this, apart_s, gap_s
                )
                if not together:
                    small = min(int(count[:g][joined[:g] == joined[g - 1]].sum()), int(count[g]))
                    # one was seen to come, the other hidden for long, and one of the two is too small
                    # to be an item alone
                    together = small < min_px and any(
                        _seen_to_come(seen, apart_s) and _hidden_long(hidden, gap_s)
                        for seen, hidden in ((last, this), (this, last))
                    )
                if together and not _one_after_other(last, this, 0.0):  # their spans meet
                    joined[g] = joined[g - 1]
                    last = dater(pixels & (joined[group] == joined[g]))
                else:
                    last = this
        group = _split_apart(pixels, dated, joined[group], dater, apart_s, min_px, gap_s)
    if cuts.size == 0 and not (group[pixels] > 0).any():
        return [(0, 0, pixels)]
    return [
        (x, y, part)
        for g in np.unique(group[pixels])
        for x, y, _area, part in _closed_parts(pixels & (group == g))
    ]


def _spans_apart(a: Dated, b: Dated, apart_s: float) -> bool:
    """Were both seen to come (the floor showed until moments before each first showed: spans no wider
    than ``apart_s``), one first showing more than ``apart_s`` before the floor last showed at the other?
    Then they came one after the other. Every pixel of one item says "after the floor last showed, by the
    time I first showed" about the same moment, so their spans meet; but where people stood over a spot
    when it came, its floor may seem to show later than it did (clothes the colour of the floor), and
    only a sharp span can be trusted. NaN (floor not seen): no bound, not apart."""
    sharp = _seen_to_come(a, apart_s) and _seen_to_come(b, apart_s)
    return sharp and _one_after_other(a, b, apart_s)


def _one_after_other(a: Dated, b: Dated, gap_s: float) -> bool:
    """Did the floor show at one more than ``gap_s`` after the other first showed (at 0: their spans do
    not meet)? NaN: no bound, no."""
    return bool(b.came_after_s > a.shown_by_s + gap_s or a.came_after_s > b.shown_by_s + gap_s)


def _came_together(a: Dated, b: Dated, p: ClutterParams) -> bool:
    """Dated within ``same_item_s`` of each other, and their spans meet (``_spans_apart``): pieces of one
    item, not one put down against the other seconds later."""
    return abs(a.since_s - b.since_s) <= p.same_item_s and not _spans_apart(a, b, p.apart_s)


def _came_while_hidden(a: Dated, b: Dated, apart_s: float, gap_s: float) -> bool:
    """Of two date groups, was one seen to come (span within ``apart_s``) at a moment the other's span,
    wider than ``gap_s`` (people hid its floor all the while), holds, and did the other show within two
    ``gap_s`` of that? Then the hidden one came with it, and the crowd that stood on it moved off soon
    after. What first showed long after is something put down later under the crowd. NaN (floor never
    seen) holds nothing: False."""
    return any(
        _seen_to_come(seen, apart_s)
        and _hidden_long(hidden, gap_s)
        and _holds(hidden, seen.since_s)
        and hidden.shown_by_s <= seen.since_s + 2 * gap_s
        for seen, hidden in ((a, b), (b, a))
    )


def _split_apart(
    pixels: np.ndarray,
    dated: np.ndarray,
    group: np.ndarray,
    dater: Dater,
    apart_s: float,
    min_px: int,
    far_s: float = float("inf"),
) -> np.ndarray:
    """Each date group cut in two at its dates' Otsu threshold where the two halves' spans lie apart
    (``_spans_apart``), or far apart whether sharp or not (``far_s``: the floor showed at one more than
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
        if _one_after_other(early, later, far_s) or _spans_apart(early, later, apart_s):
            refined[late] = label
            label += 1
    return refined


def _lies_on(item: TrackedItem, box: BBox) -> bool:
    """Does a blob's ``box`` lie on the item's footprint? Then the blob continues it, if they came
    together (``_track``); else it may have taken in the item's pixels (``ClutterRule._hand_back``)."""
    return _overlap(item.footprint, box) > 0.3


def _pixels_touch(a: TrackedItem, b: TrackedItem, margin: int = 2) -> bool:
    """Do two items' pixels (not only their boxes) come within ``margin`` pixels of each other?"""
    if a.pixels is None or b.pixels is None:
        return False
    ax, ay, bx, by = round(a.bbox[0]) - margin, round(a.bbox[1]) - margin, round(b.bbox[0]), round(b.bbox[1])
    grown = cv2.dilate(
        np.pad(a.pixels.astype(np.uint8), margin), np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)
    )
    x0, y0 = max(ax, bx), max(ay, by)
    x1 = min(ax + grown.shape[1], bx + b.pixels.shape[1])
    y1 = min(ay + grown.shape[0], by + b.pixels.shape[0])
    if x1 <= x0 or y1 <= y0:
        return False
    mine = grown[y0 - ay : y1 - ay, x0 - ax : x1 - ax] > 0
    return bool((mine & b.pixels[y0 - by : y1 - by, x0 - bx : x1 - bx]).any())


def _item_mask(item: TrackedItem, rows: slice, cols: slice) -> np.ndarray:
    """An item's last pixels within the window ``rows``, ``cols`` (of the analysis image)."""
    mask = np.zeros((rows.stop - rows.start, cols.stop - cols.start), bool)
    if item.pixels is None:
        return mask
    x, y = round(item.bbox[0]), round(item.bbox[1])
    h, w = item.pixels.shape
    r0, c0 = max(rows.start, y), max(cols.start, x)
    r1, c1 = min(rows.stop, y + h), min(cols.stop, x + w)
    if r1 > r0 and c1 > c0:
        mask[r0 - rows.start : r1 - rows.start, c0 - cols.start : c1 - cols.start] = item.pixels[
            r0 - y : r1 - y, c0 - x : c1 - x
        ]
    return mask


def _seen_apart(
    a: TrackedItem, b: TrackedItem, differs: np.ndarray, people: np.ndarray | None, reach: int, bare: float
) -> bool:
    """Does the floor between two items show, empty, with nobody on it? The pixels within ``reach`` of
    both (where a person's pixels could join them, ``_closed_parts``) and between them (inside the convex
    hull of the two) differ from the empty corridor at fewer than ``bare`` of them and no person stands on
    any: then they are two things side by side, however close their dates, not two pieces of one item that
    someone standing in front split. Outside the hull lies the floor beside both, say below two pieces of
    one box that meet along a seam: it shows there either way. Between two items a few pixels apart the
    blur's fringes of both differ, a quarter of it or so, and along a seam between pieces of one item
    most of it: ``bare`` (``apart_share``) lies between. Items too far apart for a person to join have
    no such pixels: False."""
    box = _union(_grow(a.bbox, reach), _grow(b.bbox, reach))
    rows, cols = _slice(box, differs.shape)
    mine, theirs = _item_mask(a, rows, cols), _item_mask(b, rows, cols)
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    gap = (cv2.dilate(mine.astype(np.uint8), kernel) > 0) & (cv2.dilate(theirs.astype(np.uint8), kernel) > 0)
    gap &= ~mine & ~theirs & _hull(mine | theirs)
    if not gap.any():
        return False
    if people is not None and people[rows, cols][gap].any():
        return False
    return float(differs[rows, cols][gap].mean()) < bare


def _hull(mask: np.ndarray) -> np.ndarray:
    """The convex hull of a mask's pixels, filled (empty for an empty mask)."""
    out = np.zeros(mask.shape, np.uint8)
    points = cv2.findNonZero(mask.astype(np.uint8))
    if points is not None:
        cv2.fillConvexPoly(out, cv2.convexHull(points), 1)
    return out > 0


def _nearest_of(
    pixels: np.ndarray, x: int, y: int, items: list[TrackedItem]
) -> list[tuple[int, int, np.ndarray]]:
    """A blob's ``pixels`` (box at ``x``, ``y``) shared out among ``items``, each pixel to the item whose
    last pixels are nearest: (x, y, pixels) per item that gets any, in the order of ``items``."""
    h, w = pixels.shape
    box = (float(x), float(y), float(x + w), float(y + h))
    for item in items:
        box = _union(box, item.bbox)
    rows = slice(max(0, round(box[1])), round(box[3]))
    cols = slice(max(0, round(box[0])), round(box[2]))
    inside = (slice(y - rows.start, y - rows.start + h), slice(x - cols.start, x - cols.start + w))
    far = []
    for item in items:
        free = (~_item_mask(item, rows, cols)).astype(np.uint8)
        far.append(cv2.distanceTransform(free, cv2.DIST_L2, 3)[inside])
    nearest = np.argmin(np.stack(far), axis=0)
    out = []
    for k in range(len(items)):
        part = pixels & (nearest == k)
        if part.any():
            ys, xs = np.nonzero(part)
            out.append(
                (x + int(xs.min()), y + int(ys.min()), part[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])
            )
    return out


def _showed_with(item: TrackedItem, other: TrackedItem, same_item_s: float) -> bool:
    """Dated after it first showed (the median of pixels people hid for long, whose floor was not seen),
    it showed within ``same_item_s`` of ``other``'s date: that says more of when it came than its date."""
    return item.since_s > item.shown_by_s and abs(item.shown_by_s - other.since_s) <= same_item_s


def _pixels_hold(floor_s: np.ndarray, shown_s: np.ndarray, when_s: float, share: float) -> bool:
    """Could ``share`` of a group of pixels (when the floor last showed at each, when each first showed)
    have come at ``when_s``? The part of an item people stood in front of as it came is dated by the few
    pixels between their legs where the floor seemed to show later; the rest of it, hidden all the while,
    holds the date of the part already reported. Something put down beside it later lets the floor show
    at most of its pixels after that. NaN (floor not seen) holds nothing; no pixels: no."""
    if not floor_s.size:
        return False
    with np.errstate(invalid="ignore"):
        holds = (floor_s <= when_s) & (when_s <= shown_s)
    return float(holds.mean()) >= share


class ClutterRule:
    """One camera's clutter rule (an ``Analyzer``). ``origin`` is the wall time of ``t_s = 0``."""

    def __init__(
        self,
        zones: Sequence[Zone],
        masks: Sequence[Polygon] = (),
        origin: datetime = EPOCH,
        params: ClutterParams | None = None,
        confirmer: ItemConfirmer | None = None,
        people: PeopleFinder | None = None,
        silhouettes: PeopleShapes | None = None,
    ) -> None:
        if not zones:
            raise ValueError("corridor_clutter needs at least one zone")
        self.zones = list(zones)
        self.masks = list(masks)
        self.origin = origin
        self.params = params or ClutterParams()
        self.confirmer = confirmer
        self.people = people
        self.silhouettes = silhouettes  # with ``people``: mask what people show, not their whole boxes
        self.frames = 0  # analysed with a person detector at hand ...
        self.people_frames = 0  # ... of which it ran (something in the zones differed)
        self._background: EmptyBackground | None = None
        self._anchors: Anchors | None = None
        self._labels = np.zeros((0, 0), np.int32)
        self._scale = 1.0
        self._items: list[TrackedItem] = []
        self._next_id = 1
        self._last_t: float | None = None
        self._owned = np.zeros((0, 0), bool)  # pixels of alerted items: never part of a new blob
        self._image = np.zeros((0, 0, 3), np.float32)  # this frame, analysed size, reference lighting
        self._unblurred = np.zeros((0, 0, 3), np.float32)  # this frame, analysed size, before the blur
        self._people_now: np.ndarray | None = None  # this frame's pixels in people's boxes (a detector runs)
        # ... and the pixels at their edges the mask gives back to be seen (``PeopleParams.
        # distinct_tolerance``): what shows there may be an item, but what moves there is the person
        self._given_back: np.ndarray | None = None
        self._standing: Standing | None = None  # this frame's standing anchors (``_blobs``)
        self._people_hold = PeopleHold(self.params.people)

    @classmethod
    def from_camera(
        cls,
        camera: CameraConfig,
        origin: datetime = EPOCH,
        confirmer: ItemConfirmer | None = None,
        people: PeopleFinder | None = None,
        silhouettes: PeopleShapes | None = None,
        params: ClutterParams | None = None,
    ) -> ClutterRule:
        return cls(
            camera.zones,
            camera.mask,
            origin=origin,
            params=params,
            confirmer=confirmer,
            people=people,
            silhouettes=silhouettes,
        )

    @property
    def items(self) -> list[TrackedItem]:
        return list(self._items)

    def _looked_at(self, bbox: BBox, t_s: float) -> tuple[Anchors, slice, slice, Standing] | None:
        """For ``region`` and ``region_pixels``: the anchors, the window over ``bbox`` (frame pixels) and
        what stands now; None before the first frame or for a box outside the picture."""
        anchors = self._anchors
        if anchors is None:
            return None
        window = analysis_window(bbox, self._scale, self._labels.shape)
        if window is None:
            return None
        rows, cols = window
        return anchors, rows, cols, anchors.static(t_s, self.params.static_s, self.params.presence)

    def region(self, bbox: BBox, t_s: float) -> RegionState | None:
        """The rule's state over ``bbox`` (frame pixels) after the frame at ``t_s``; None before the
        first frame or for a box outside the picture."""
        looked = self._looked_at(bbox, t_s)
        if looked is None:
            return None
        anchors, rows, cols, standing = looked
        anchored = anchors.valid[rows, cols]
        people = self._people_now[rows, cols] if self._people_now is not None else np.zeros_like(anchored)
        dates = anchors.since[rows, cols][anchored]
        box = (float(cols.start), float(rows.start), float(cols.stop), float(rows.stop))
        return RegionState(
            anchored=float(anchored.mean()),
            showing=float(anchors.matches[rows, cols].mean()),
            unproven=float((anchored & (anchors.unproven_s[rows, cols] > 0)).mean()),
            standing=float(standing.mask[rows, cols].mean()),
            people=float(people.mean()),
            since_s=float(np.median(dates)) if dates.size else float("nan"),
            items=tuple(item for item in self._items if _overlap(item.bbox, box) > 0),
        )

    def region_pixels(self, bbox: BBox, t_s: float) -> RegionPixels | None:
        """``region`` pixel by pixel (``benchmarks/clutter_trace.py --pixels``)."""
        looked = self._looked_at(bbox, t_s)
        if looked is None:
            return None
        anchors, rows, cols, standing = looked
        anchor, aside = anchors.layers(rows, cols, t_s)
        shown = anchors.matches[rows, cols]
        return RegionPixels(
            box=(cols.start, rows.start, cols.stop, rows.stop),
            anchor=anchor,
            aside=aside,
            standing=standing.mask[rows, cols].copy(),
            showing=shown.copy(),
            people=self._people_now[rows, cols].copy()
            if self._people_now is not None
            else np.zeros_like(shown),
            image=self._image[rows, cols].copy(),
        )

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        image = self._prepare(frame)
        if self._background is None or self._anchors is None:
            raise RuntimeError("background not initialised")  # _prepare always sets it
        fg = self._background.update(image, t_s, self._people_now)  # people a frame ago
        if fg is None:
            return []
        self._people_now, surely = self._people(frame, fg, t_s)
        if self.params.blur_among_free and self._people_now is not None and self._people_now.any():
            fg = self._blurred_among_free(fg, self._people_now, t_s)
        self._anchors.update(fg, t_s, self._people_now, surely)
        self._image = fg.image
        self._track(self._blobs(fg.diff, fg.differs, t_s), fg.differs, t_s)
        return self._due(frame, self._anchors.changed, t_s)

    def finish(self, t_s: float) -> list[AlertDraft]:
        return []  # an item that has not reached its dwell by the end of the stream is not clutter yet

    # -- steps ---------------------------------------------------------------------------------------
    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        sw, sh, scale = analysis_size(w, h, self.params.width)
        colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        small: np.ndarray = cv2.resize(colour, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
        self._unblurred = small  # ``blur_among_free`` blurs it again beside people
        small = cv2.GaussianBlur(small, (3, 3), 0)
        if self._labels.shape != small.shape[:2]:
            self._scale = scale
            inside = zone_mask((sh, sw), [z.polygon for z in self.zones], self.masks, scale)
            labels = np.zeros((sh, sw), np.int32)
            for index, zone in enumerate(self.zones, start=1):
                labels[polygon_mask((sh, sw), [zone.polygon], scale) > 0] = index
            labels[inside == 0] = 0
            self._labels = labels
            self._background = EmptyBackground(inside, self.params.background)
            self._anchors = Anchors((sh, sw), self.params.anchors, region=inside > 0)
            self._items = []
            self._owned = np.zeros((sh, sw), bool)
        return small

    def _blurred_among_free(self, fg: Foreground, people: np.ndarray, t_s: float) -> Foreground:
        """``fg`` with the pixels beside ``people`` blurred among those nobody stands on, and compared with
        the empty corridor again. The rule's blur mixes a third or so of a person's colour into the floor
        pixels around them, so the edge of someone standing holds still like a thing; grown over every
        pixel beside them, the mask also shuts the gap between their legs where an item shows."""
        if self._background is None:
            return fg
        among = _blur_among(self._unblurred, ~people)
        beside = (
            cv2.dilate(people.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        ) & ~people  # the blur's reach
        return self._background.compare_again(fg, beside, among, t_s)

    def _people(
        self, frame: np.ndarray, fg: Foreground, t_s: float
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Pixels of people (analysis size): inside their boxes, or what they show of them with a silhouette
        model; None without a person detector. With them, the pixels surely a person (``PeopleParams.
        sure_chance``) when the look-back skips people, else None. An empty fire lane has nobody in it: the
        detector runs only when something there differs from the empty corridor. People it loses while
        they stand still are held (``PeopleHold``)."""
        if self.people is None:
            return None, None
        self.frames += 1
        boxes = np.zeros((0, 4), np.float32)
        if (fg.differs & (self._labels > 0)).any():
            self.people_frames += 1
            boxes = self.people.boxes(frame)
        held = self._people_hold.update(boxes, t_s, fg.image, self._scale)
        shape = fg.differs.shape
        self._given_back = None
        if self.silhouettes is None:
            return people_mask(held, shape, self._scale, self.params.people.margin), None
        skips = self.params.anchors.lookback_skips_people  # the look-back wants who surely stood where
        if not len(held):
            return np.zeros(shape, bool), np.zeros(shape, bool) if skips else None
        people = self.params.people
        tolerance = people.mix_tolerance  # None: the mask is grown by chance, in ``silhouette_layers``
        distinct = people.distinct_tolerance
        layers = silhouette_layers(
            self.silhouettes,
            frame,
            held,
            shape,
            self._scale,
            people.grow_px if tolerance is None else 0,
            people.grow_chance,
            people.sure_chance if skips or tolerance is not None or distinct is not None else None,
        )
        mask, sure = layers.mask, layers.sure
        if tolerance is not None:
            mask = mask | mixed_edge(fg.image, fg.reference, mask, sure, people.grow_px, tolerance)
        elif distinct is not None:
            grown = mask & ~layers.core
            self._given_back = distinct_edge(fg.image, fg.reference, grown, sure, people.grow_px, distinct)
            mask = mask & ~self._given_back
        return mask, sure if skips else None

    def _blobs(self, diff: np.ndarray, differs: np.ndarray, t_s: float) -> list[Blob]:
        """Connected groups of pixels whose anchors are old enough and were mostly in view."""
        if self._anchors is None:
            return []
        p = self.params
        standing = self._anchors.static(t_s, p.static_s, p.presence)
        self._standing = standing
        static = standing.mask & (self._labels > 0) & ~self._owned
        dated = standing.since
        min_area = p.min_area_fraction * static.size
        blobs = []
        bridge = self._people_now if self._people_now is not None and self._people_now.any() else None
        for x, y, area, pixels in _closed_parts(static, min_area, bridge, p.bridge_px):
            h, w = pixels.shape
            total = max(1, int(pixels.sum()))
            rows, cols = slice(y, y + h), slice(x, x + w)
            dater = self._dater(standing, rows, cols)
            pieces = _split_by_date(pixels, dated[rows, cols], p.same_item_s, dater, p.apart_s, int(min_area))
            for px, py, whole in pieces:
                for qx, qy, piece in self._hand_back(whole, x + px, y + py, standing, min_area):
                    share = area * int(piece.sum()) // total  # of the closed blob's area
                    if share < min_area:
                        continue
                    blob = self._blob(piece, qx, qy, share, diff, differs, standing)
                    if blob is not None:
                        blobs.append(blob)
        return blobs

    def _hand_back(
        self, pixels: np.ndarray, x: int, y: int, standing: Standing, min_area: float
    ) -> list[tuple[int, int, np.ndarray]]:
        """A blob (its ``pixels`` with their box at ``x``, ``y``) that continues no tracked item but took in
        an unreported item's last pixels hands them back: a neighbour people hid from when it came starts
        to stand and joins up with the item, the two dated to the neighbour's time. Left joined, the item
        is never seen again and the neighbour is reported in its place. The item's pixels go back to it
        when they still date with it and both parts are big enough to be items. A blob that continues an
        item stays whole: it is that item, and a piece of it another item held, dated apart, was misdated
        (a spot people hid for long dates to the middle of that time). A blob that is all (or nearly all)
        its item's pixels, as on most frames, is not dated here: ``_blob`` dates it. A blob that lies on
        items the empty floor was seen between (someone now standing across the gap joined them) is shared
        out among them, each pixel to the nearest (``keep_apart``)."""
        p = self.params
        h, w = pixels.shape
        box = (float(x), float(y), float(x + w), float(y + h))
        under = [i for i in self._items if not i.alerted and i.pixels is not None and _lies_on(i, box)]
        apart = [i for i in under if any(o.id in i.apart for o in under)]
        if len(apart) > 1:  # things seen side by side that someone now stands across: each keeps its own
            return _nearest_of(pixels, x, y, apart)
        date = self._dater(standing, slice(y, y + h), slice(x, x + w))
        whole: _Span | None = None
        for item in under:
            theirs = _item_mask(item, slice(y, y + h), slice(x, x + w)) & pixels
            if not theirs.any():
                continue
            rest = pixels & ~theirs
            if theirs.sum() < min_area or rest.sum() < min_area:
                continue
            if whole is None:
                whole = date(pixels)
                if any(_came_together(other, whole, p) for other in under):
                    return [(x, y, pixels)]
            if not _came_together(item, date(theirs), p):
                continue
            ys, xs = np.nonzero(theirs)
            back = theirs[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            return [(x + int(xs.min()), y + int(ys.min()), back)] + [
                (x + qx, y + qy, part) for qx, qy, _area, part in _closed_parts(rest)
            ]
        return [(x, y, pixels)]

    def _dater(self, standing: Standing, rows: slice, cols: slice) -> Dater:
        """Dates a group of a blob's pixels (a mask of the box ``rows``, ``cols``) as ``_date`` does."""

        def date(group: np.ndarray) -> _Span:
            return self._date(
                standing.since[rows, cols][group],
                standing.floor_s[rows, cols][group],
                standing.shown_s[rows, cols][group],
            )

        return date

    def _blob(
        self,
        pixels: np.ndarray,
        x: int,
        y: int,
        area: int,
        diff: np.ndarray,
        differs: np.ndarray,
        standing: Standing,
    ) -> Blob | None:
        if self._anchors is None or not pixels.any() or self._is_ghost(pixels, x, y, differs):
            return None
        h, w = pixels.shape
        rows, cols = slice(y, y + h), slice(x, x + w)
        labels = self._labels[rows, cols][pixels]
        own = (
            standing.since[rows, cols][pixels],
            standing.floor_s[rows, cols][pixels],
            standing.shown_s[rows, cols][pixels],
        )
        span = self._date(*own)
        hidden = self._hidden_part(pixels, x, y, span)
        if hidden[0].size:
            span = self._date(*(np.concatenate(pair) for pair in zip(own, hidden, strict=True)))
        shows = standing.shows[rows, cols][pixels]
        behind = np.zeros_like(shows)
        if self._people_now is not None:
            behind = self._people_now[rows, cols][pixels] & ~shows  # hidden by someone in front of it
        return Blob(
            bbox=(float(x), float(y), float(x + w), float(y + h)),
            area=area,
            since_s=span.since_s,
            came_after_s=span.came_after_s,
            shown_by_s=span.shown_by_s,
            contrast=float(np.median(diff[rows, cols][pixels])),
            visible=float(shows.sum()) / max(1, shows.size - int(behind.sum())),
            glimpse=float(shows.mean()),
            bare=1.0 - float(differs[rows, cols][pixels].mean()),
            zone_index=int(np.bincount(labels).argmax()),
            pixels=pixels,
        )

    def _hidden_part(
        self, pixels: np.ndarray, x: int, y: int, span: Dated
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Anchors joined to a blob that are not in it only because people hid them for long (in view
        for less than ``presence`` of the time since they first showed) and that came with it: they
        showed after the floor last showed at the blob and before its own pixels first showed. Those
        that showed first were hidden longest; without them an item a crowd hid right after it was put
        down is dated to when the crowd left. Their (since, floor, shown); none where the blob's own span
        is narrow or the floor was not seen."""
        p = self.params
        none = np.zeros(0, np.float32)
        anchors = self._anchors
        if anchors is None or not _hidden_long(span, p.same_item_s):  # NaN (floor not seen): not
            return none, none, none
        after, by = span.came_after_s, span.shown_by_s
        h, w = pixels.shape
        rows, cols, blob = _placed(pixels, x, y, h, w, self._labels.shape)
        floor, shown = anchors.floor_s[rows, cols], anchors.shown_s[rows, cols]
        with np.errstate(invalid="ignore"):
            came_with = (floor >= after - p.same_item_s) & (shown >= after) & (shown < by)
        candidate = (
            came_with
            & anchors.valid[rows, cols]
            & (anchors.unproven_s[rows, cols] <= 0)
            & (self._labels[rows, cols] > 0)
            & ~self._owned[rows, cols]
            & ~blob
        )
        if not candidate.any():
            return none, none, none
        _, parts = cv2.connectedComponents((candidate | blob).astype(np.uint8), connectivity=8)
        joined = candidate & np.isin(parts, np.unique(parts[blob]))
        return anchors.since[rows, cols][joined], floor[joined], shown[joined]

    def _date(self, since: np.ndarray, floor_s: np.ndarray, shown_s: np.ndarray) -> _Span:
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
        p = self.params
        known = floor_s[~np.isnan(floor_s)]
        by = float(np.percentile(shown_s, p.shown_percentile))
        if shown_s.size > p.shown_px:
            handful = float(np.partition(shown_s, p.shown_px - 1)[p.shown_px - 1])
            if by - handful > p.same_item_s:
                by = handful
        if known.size >= max(3, since.size // 4):
            after = float(np.percentile(known, p.floor_percentile))
            if after <= by:
                return _Span((after + by) / 2, after, by)
        with np.errstate(invalid="ignore"):
            sharp = shown_s - floor_s <= p.apart_s  # NaN (floor not seen): not sharp
        if sharp.sum() >= max(p.sharp_px, p.sharp_share * since.size):
            came = (floor_s[sharp] + shown_s[sharp]) / 2
            low, high = np.percentile(came, [25, 75])
            if high - low <= p.apart_s:
                return _Span(float(np.median(came)), float("nan"), by)
        return _Span(float(np.percentile(since, p.since_percentile)), float("nan"), by)

    def _is_ghost(self, pixels: np.ndarray, x: int, y: int, differs: np.ndarray) -> bool:
        """Someone who stood in view while the background was learned leaves, once gone, a patch of
        bare floor that differs from the (wrong) background and stands perfectly still. It looks like
        the empty floor around it, while the learned background there does not (it shows the person):
        take it into the background and forget it. An item the colour of the floor stands on a patch
        learned right, and stays."""
        if self._anchors is None or self._background is None:
            return False
        rows, cols, around = _placed(pixels, x, y, 4, 4, differs.shape)
        grown = cv2.dilate(around.astype(np.uint8), _KERNEL, iterations=2).astype(bool)
        ring = ~grown & ~differs[rows, cols] & (self._labels[rows, cols] > 0)
        if int(ring.sum()) < 10:
            return False
        inside = self._anchors.value[rows, cols][around].mean(axis=0)
        floor = self._background.reference[rows, cols][ring].mean(axis=0)
        if float(np.abs(inside - floor).max()) > self.params.ghost_match:
            return False
        learned = self._background.reference[rows, cols][around].mean(axis=0)
        if float(np.abs(learned - floor).max()) <= self.params.ghost_match:
            return False  # the floor was learned right here: a thing the colour of the floor, no ghost
        region = np.zeros(differs.shape, bool)
        region[rows, cols] = around
        self._background.absorb(region, self._anchors.value)
        self._anchors.forget(region)
        return True

    def _track(self, blobs: list[Blob], differs: np.ndarray, t_s: float) -> None:
        """Each blob continues the unreported item whose footprint it overlaps, or starts one.

        Pieces of one item (split by someone in front) join up under it; items noticed apart that turn
        out to be one are merged, unless the empty floor was seen between them (``_note_apart``). A blob
        dated apart from the item it overlaps (more than ``same_item_s``) is something else: a new item put
        down against it, or a trace the item's footprint happened to cover; it never re-dates an item to
        its own time. An unreported item is forgotten once its blob has been gone ``hold_s``.
        A reported one owns its pixels (no blob forms on them) and is forgotten, its pixels freed, only
        once they have shown the empty corridor ``hold_s`` on end: it was taken away.
        """
        p = self.params
        dt = 0.0 if self._last_t is None else max(0.0, t_s - self._last_t)
        self._last_t = t_s
        pieces: dict[int, list[Blob]] = {}
        merged: set[int] = set()
        for blob in sorted(blobs, key=lambda b: -b.area):
            overlapping = [
                i
                for i in self._items
                if not i.alerted
                and i.id not in merged
                and _lies_on(i, blob.bbox)
                and _came_together(i, blob, p)
            ]
            if overlapping:
                best = min(overlapping, key=lambda i: i.since_s)
                for other in overlapping:
                    if other is not best and other.id not in pieces and other.id not in best.apart:
                        merged.add(other.id)  # pieces of one item noticed apart have joined up
                        best.apart |= other.apart
            else:
                best = TrackedItem(
                    id=self._next_id,
                    zone=self.zones[blob.zone_index - 1].name,
                    bbox=blob.bbox,
                    since_s=blob.since_s,
                    last_seen_s=t_s,
                    first_seen_s=t_s,
                    came_after_s=blob.came_after_s,
                    shown_by_s=blob.shown_by_s,
                    footprint=blob.bbox,
                    steady_since_s=t_s,
                )
                self._next_id += 1
                self._items.append(best)
            pieces.setdefault(best.id, []).append(blob)
        self._items = [i for i in self._items if i.id not in merged]
        kept = []
        for item in self._items:
            item.frames += 1
            found = pieces.get(item.id)
            if found:
                self._observe(item, found, t_s)
        if p.keep_apart:
            self._note_apart([i for i in self._items if i.id in pieces], differs)
        for item in self._items:
            if item.alerted and item.pixels is not None:
                item.bare_s = self._bare_for(item, differs, dt)
                if item.bare_s < p.hold_s:
                    kept.append(item)
                    continue
                rows, cols = _slice(item.bbox, differs.shape)
                self._owned[rows, cols] &= ~item.pixels
                self._forget_anchors(item, rows, cols)
                log.info(
                    "clutter removed",
                    extra=fields(zone=item.zone, item=item.id, stood_s=round(t_s - item.since_s, 1)),
                )
            elif t_s - item.last_seen_s <= p.hold_s:
                kept.append(item)
        self._items = kept

    def _note_apart(self, seen: list[TrackedItem], differs: np.ndarray) -> None:
        """Items seen this frame with the empty floor showing between them are two (``_seen_apart``)."""
        p = self.params
        for k, a in enumerate(seen):
            for b in seen[k + 1 :]:
                if b.id in a.apart or _overlap(_grow(a.bbox, 2 * p.bridge_px), b.bbox) <= 0:
                    continue
                if _seen_apart(a, b, differs, self._people_now, p.bridge_px, p.apart_share):
                    a.apart.add(b.id)
                    b.apart.add(a.id)

    def _forget_anchors(self, item: TrackedItem, rows: slice, cols: slice) -> None:
        """An item is taken away whole: its anchors go with it, also where whoever took it (or anyone
        else) hid the floor as it went. Left there, they would stand on as a piece of it, dated with it,
        once the rest of it was forgotten, and be reported again. What came after it (someone standing
        in front, a thing put down against it) keeps its anchors."""
        if self._anchors is None or item.pixels is None:
            return
        region = np.zeros(self._owned.shape, bool)
        region[rows, cols] = item.pixels
        self._anchors.forget(region, came_by_s=item.since_s + self.params.same_item_s)

    def _bare_for(self, item: TrackedItem, differs: np.ndarray, dt: float) -> float:
        """How long a reported item's pixels have shown the empty corridor on end. Where people are known,
        only the pixels no person stands on say so, and a moment when people cover nearly all of it says
        nothing either way: at a busy far end, passers-by would otherwise keep a removed item alive and
        the next item set down on its spot would be taken for a piece of it."""
        if item.pixels is None:
            return item.bare_s
        rows, cols = _slice(item.bbox, differs.shape)
        shown = item.pixels
        if self._people_now is not None:
            shown = shown & ~self._people_now[rows, cols]
            if shown.sum() < self.params.bare_view * max(1, int(item.pixels.sum())):
                return item.bare_s  # people in front: no news
        share = float(differs[rows, cols][shown].mean()) if shown.any() else 0.0
        return item.bare_s + dt if share < self.params.bare_share else 0.0

    def _observe(self, item: TrackedItem, found: list[Blob], t_s: float) -> None:
        box = found[0].bbox
        for blob in found[1:]:
            box = _union(box, blob.bbox)
        area = sum(b.area for b in found)
        x0, y0 = round(box[0]), round(box[1])
        pixels = np.zeros((round(box[3]) - y0, round(box[2]) - x0), bool)
        for blob in found:
            bx, by = round(blob.bbox[0]) - x0, round(blob.bbox[1]) - y0
            h, w = blob.pixels.shape
            pixels[by : by + h, bx : bx + w] |= blob.pixels
        item.pixels = pixels
        item.bbox = box
        item.seen += 1
        item.last_seen_s = t_s
        item.contrast = found[0].contrast
        item.visible = sum(b.visible * b.area for b in found) / max(area, 1)
        item.glimpse = sum(b.glimpse * b.area for b in found) / max(area, 1)
        bare = sum(b.bare * b.area for b in found) / max(area, 1)
        if _iou(box, item.footprint) < self.params.steady_iou or bare > self.params.bare_blob:
            # changed shape, or shows the floor through much of itself: a trace of passers-by
            # (or an item being taken away), not something that stands here
            item.footprint = box
            item.steady_since_s = t_s
        if not item.alerted:
            # date it again from what qualifies now: a passer-by's trace no longer does, parts
            # hidden at first do
            item.since_s = found[0].since_s
            item.came_after_s, item.shown_by_s = found[0].came_after_s, found[0].shown_by_s

    def _waits(self, item: TrackedItem, moving: np.ndarray, t_s: float, dwell_s: float) -> str:
        """Why an unreported item is not reported now ('' when it has stood ``dwell_s``, in view,
        steady, seen nearly throughout, with nobody moving at it).

        A person who stops is still for seconds, not for the dwell; a blob made of passers-by's traces
        comes and goes and changes shape; an item keeps its place and its box. Motion at or next to the
        box right now (someone walking past or bending over it) postpones the decision to a quiet frame.
        With a person detector, motion inside the people it found does not: they stand in front of the
        item, and what shows of it is judged without their pixels already. Someone who stays at an item
        shifting from foot to foot would otherwise postpone it until it is taken away.
        """
        p = self.params
        if item.last_seen_s != t_s:
            return Waits.UNSEEN
        if t_s - item.since_s < dwell_s:
            return Waits.DWELL
        kept = item.steady_since_s <= item.first_seen_s  # its box as when first tracked, all along
        if item.visible < p.visible or item.glimpse < (p.glimpse_kept if kept else p.glimpse):
            return Waits.HIDDEN  # hidden right now (or a trace of someone gone): look again when it shows
        if item.seen < p.seen_share * item.frames:
            return Waits.SELDOM
        if t_s - item.steady_since_s < p.steady_s:
            return Waits.UNSTEADY
        rows, cols = _slice(item.footprint, moving.shape, p.moving_margin)
        near = moving[rows, cols]
        if self._people_now is not None:
            near = near & ~self._people_now[rows, cols]  # people found are in front of it, not at it
        if self._given_back is not None:
            near = near & ~self._given_back[rows, cols]  # their edges moving with them
        return Waits.MOVING if float(near.mean()) > p.moving_share else ""

    def _due(self, frame: np.ndarray, moving: np.ndarray, t_s: float) -> list[AlertDraft]:
        drafts = []
        dwell = {z.name: z.dwell_s for z in self.zones}
        polygon = {z.name: z.polygon for z in self.zones}
        for item in self._items:
            if item.alerted:
                continue
            item.waiting = self._waits(item, moving, t_s, dwell[item.zone])
            if not item.waiting and self._piece_of_reported(item, t_s, dwell[item.zone]):
                item.waiting = Waits.BESIDE
            if item.waiting:
                continue
            bbox = self._full_res(item.bbox)
            if self.confirmer is not None and not self.confirmer.confirm(frame, bbox):
                item.waiting = Waits.UNCONFIRMED
                continue
            item.alerted = True
            item.footprint = item.bbox
            self._own(item)
            shot = snapshot(
                frame, bbox, polygon[item.zone], "clutter", max_bytes=self.params.snapshot_max_bytes
            )
            drafts.append(
                AlertDraft(
                    kind=AlertKind.CORRIDOR_CLUTTER,
                    t_s=t_s,
                    confidence=round(min(0.99, 0.5 + item.contrast / 100.0), 3),
                    severity=Severity.MEDIUM,
                    zone=item.zone,
                    bbox=bbox,
                    attributes=ClutterAttributes(
                        since=self.origin + seconds(item.since_s), dwell_s=round(t_s - item.since_s, 2)
                    ),
                    snapshot_jpeg=shot.jpeg,
                    event_key=f"clutter-{item.zone}-{round(item.since_s * 1000)}",
                )
            )
        return drafts

    def _piece_of_reported(self, item: TrackedItem, t_s: float, dwell_s: float) -> bool:
        """Does it touch a reported item, as a piece of it or as someone standing at it?

        Appeared with it (dated within ``same_item_s``, or, dated later than it first showed, showed within
        that of it): a piece of it, split off by someone who stood in front while it qualified; it joins
        that item silently. Dated apart while the reported item shows itself (``beside_in_view`` of its
        pixels: nobody stands in front of it): something put down beside it, a new item like any other.
        Dated apart while it is partly hidden: maybe someone standing at it, whose blob spills around it; if
        it overlaps its box, wait (someone standing leaves, and their blob with them); if it only touches it
        and the rule has no person detector, it must stand ``beside_dwells`` dwells (a person at a reported
        item, looking at it or about to take it, splits into pieces beside it; with a detector, their pixels
        are masked and no piece of them is left).
        """
        if item.pixels is None or self._anchors is None:
            return False
        rows, cols = _slice(item.bbox, self._owned.shape, 2)
        if not self._owned[rows, cols].any():
            return False
        for other in self._items:
            if not other.alerted or other.pixels is None or _overlap(_grow(other.bbox, 2), item.bbox) <= 0:
                continue
            if _overlap(_grow(other.bbox, -2), item.bbox) <= 0 and not _pixels_touch(item, other):
                continue  # only the fringes of their boxes meet: it stands apart (further back, say)
            if other.id not in item.apart and (  # the floor seen between them: not a piece of it
                _came_together(item, other, self.params)
                # hidden all the while the reported item came (the last strip of an item a crowd
                # uncovered); something put down later beside it lets the floor show after it came
                or _holds(item, other.since_s)
                or _showed_with(item, other, self.params.same_item_s)
                or self._mostly_holds(item, other.since_s)
            ):
                item.alerted = True
                self._own(item)
                return True
            if self._in_view(other) >= self.params.beside_in_view:
                continue  # nothing stands in front of it: what touches it stands beside it
            if _overlap(_grow(other.bbox, -2), item.bbox) > self.params.in_front:
                return True
            if self.people is None and t_s - item.since_s < self.params.beside_dwells * dwell_s:
                return True  # knowing where people are, no person's piece is taken for an item
        return False

    def _mostly_holds(self, item: TrackedItem, when_s: float) -> bool:
        """``_pixels_hold`` over the item's last pixels, at ``piece_holds``; off (None): no."""
        share = self.params.piece_holds
        if share is None or self._standing is None or item.pixels is None:
            return False
        rows, cols = _slice(item.bbox, self._owned.shape)
        mine = _item_mask(item, rows, cols)
        floor, shown = self._standing.floor_s[rows, cols][mine], self._standing.shown_s[rows, cols][mine]
        return _pixels_hold(floor, shown, when_s, share)

    def _in_view(self, item: TrackedItem) -> float:
        """Share of a reported item's pixels that show it now (its anchors when reported, the older where
        someone stood in front already; followed through slow light changes): someone standing in front
        hides part of it, something set down beside it does not."""
        if self._anchors is None or item.core is None or item.look is None or not item.core.any():
            return 0.0
        rows, cols = _slice(item.bbox, self._owned.shape)  # the box ``look`` was cut from in ``_own``
        now = self._image[rows, cols]
        shows = channel_max_absdiff(now, item.look) <= self._anchors.params.match
        cv2.accumulateWeighted(now, item.look, self._anchors.params.follow, mask=shows.astype(np.uint8))
        return float(shows[item.core].mean())

    def _own(self, item: TrackedItem) -> None:
        """From its alert on, an item's pixels (and a fringe) are its own: a piece of it seen apart or
        seen again later continues it and can never make a second alert."""
        if item.pixels is None:
            return
        m = 2
        rows, cols, core = _placed(
            item.pixels, round(item.bbox[0]), round(item.bbox[1]), m, m, self._owned.shape
        )
        grown = cv2.dilate(core.astype(np.uint8), _KERNEL, iterations=m) > 0
        item.bbox = (float(cols.start), float(rows.start), float(cols.stop), float(rows.stop))
        item.pixels = grown
        item.core = core
        if self._anchors is not None:
            item.look = self._anchors.older_value(rows, cols).astype(np.float32)
        self._owned[rows, cols] |= grown

    def _full_res(self, bbox: BBox) -> BBox:
        s = self._scale
        return (round(bbox[0] / s, 1), round(bbox[1] / s, 1), round(bbox[2] / s, 1), round(bbox[3] / s, 1))
