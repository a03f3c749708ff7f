"""What the rule tracks: blobs of standing pixels, the items they continue (``TrackedItem``) and why one
is not reported yet (``Waits``); how two items' pixels lie to each other; the rule's state over a
region, for tracing (``RegionState``, ``RegionPixels``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from edge.rules.anchors import AnchorLayer
from edge.rules.clutter.params import ClutterParams
from edge.rules.clutter.shapes import (
    BBox,
    box_slices,
    grow,
    hull,
    overlap,
    union,
)


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
    # ids of the items it was seen apart from: the empty floor showed between them (``seen_apart``)
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


def lies_on(item: TrackedItem, box: BBox) -> bool:
    """Does a blob's ``box`` lie on the item's footprint? Then the blob continues it, if they came
    together (``ClutterRule._track``); else it may have taken in the item's pixels
    (``ClutterRule._hand_back``)."""
    return overlap(item.footprint, box) > 0.3


def pixels_touch(a: TrackedItem, b: TrackedItem, margin: int = 2) -> bool:
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


def item_mask(item: TrackedItem, rows: slice, cols: slice) -> np.ndarray:
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


def seen_apart(
    a: TrackedItem, b: TrackedItem, differs: np.ndarray, people: np.ndarray | None, reach: int, bare: float
) -> bool:
    """Does the floor between two items show, empty, with nobody on it? The pixels within ``reach`` of
    both (where a person's pixels could join them, ``closed_parts``) and between them (inside the convex
    hull of the two) differ from the empty corridor at fewer than ``bare`` of them and no person stands on
    any: then they are two things side by side, however close their dates, not two pieces of one item that
    someone standing in front split. Outside the hull lies the floor beside both, say below two pieces of
    one box that meet along a seam: it shows there either way. Between two items a few pixels apart the
    blur's fringes of both differ, a quarter of it or so, and along a seam between pieces of one item
    most of it: ``bare`` (``apart_share``) lies between. Items too far apart for a person to join have
    no such pixels: False."""
    box = union(grow(a.bbox, reach), grow(b.bbox, reach))
    rows, cols = box_slices(box, differs.shape)
    mine, theirs = item_mask(a, rows, cols), item_mask(b, rows, cols)
    kernel = np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)
    gap = (cv2.dilate(mine.astype(np.uint8), kernel) > 0) & (cv2.dilate(theirs.astype(np.uint8), kernel) > 0)
    gap &= ~mine & ~theirs & hull(mine | theirs)
    if not gap.any():
        return False
    if people is not None and people[rows, cols][gap].any():
        return False
    return float(differs[rows, cols][gap].mean()) < bare


def nearest_of(
    pixels: np.ndarray, x: int, y: int, items: list[TrackedItem]
) -> list[tuple[int, int, np.ndarray]]:
    """A blob's ``pixels`` (box at ``x``, ``y``) shared out among ``items``, each pixel to the item whose
    last pixels are nearest: (x, y, pixels) per item that gets any, in the order of ``items``."""
    h, w = pixels.shape
    box = (float(x), float(y), float(x + w), float(y + h))
    for item in items:
        box = union(box, item.bbox)
    rows = slice(max(0, round(box[1])), round(box[3]))
    cols = slice(max(0, round(box[0])), round(box[2]))
    inside = (slice(y - rows.start, y - rows.start + h), slice(x - cols.start, x - cols.start + w))
    far = []
    for item in items:
        free = (~item_mask(item, rows, cols)).astype(np.uint8)
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


def showed_with(item: TrackedItem, other: TrackedItem, same_item_s: float) -> bool:
    """Dated after it first showed (the median of pixels people hid for long, whose floor was not seen),
    it showed within ``same_item_s`` of ``other``'s date: that says more of when it came than its date."""
    return item.since_s > item.shown_by_s and abs(item.shown_by_s - other.since_s) <= same_item_s


def waits(
    item: TrackedItem,
    p: ClutterParams,
    t_s: float,
    dwell_s: float,
    moving: np.ndarray,
    people: np.ndarray | None = None,
    given_back: np.ndarray | None = None,
) -> str:
    """Why an unreported item is not reported now ('' when it has stood ``dwell_s``, in view,
    steady, seen nearly throughout, with nobody moving at it).

    A person who stops is still for seconds, not for the dwell; a blob made of passers-by's traces
    comes and goes and changes shape; an item keeps its place and its box. Motion at or next to the
    box right now (someone walking past or bending over it) postpones the decision to a quiet frame.
    With a person detector, motion inside the people it found does not: they stand in front of the
    item, and what shows of it is judged without their pixels already. Someone who stays at an item
    shifting from foot to foot would otherwise postpone it until it is taken away. ``people``: their pixels
    this frame; ``given_back``: the edge pixels the mask gave back to be seen, which move with them.
    """
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
    rows, cols = box_slices(item.footprint, moving.shape, p.moving_margin)
    near = moving[rows, cols]
    if people is not None:
        near = near & ~people[rows, cols]  # people found are in front of it, not at it
    if given_back is not None:
        near = near & ~given_back[rows, cols]  # their edges moving with them
    return Waits.MOVING if float(near.mean()) > p.moving_share else ""
