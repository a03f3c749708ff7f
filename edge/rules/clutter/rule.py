"""``ClutterRule``, one camera's rule: per frame the empty corridor and the anchors are updated, people
masked, standing pixels cut into blobs and dated, blobs tracked as items, and items reported once past
the dwell (the package's docstring tells how it decides)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np

from edge.analyzer import AlertDraft
from edge.evidence import snapshot
from edge.rules.anchors import Anchors, Standing
from edge.rules.background import EmptyBackground, Foreground, channel_max_absdiff
from edge.rules.clutter.items import (
    Blob,
    RegionPixels,
    RegionState,
    TrackedItem,
    Waits,
    item_mask,
    lies_on,
    nearest_of,
    pixels_touch,
    seen_apart,
    showed_with,
    waits,
)
from edge.rules.clutter.params import ClutterParams
from edge.rules.clutter.people_mask import PeopleMasker
from edge.rules.clutter.shapes import (
    ELLIPSE_3X3,
    BBox,
    blur_among,
    box_slices,
    closed_parts,
    grow,
    iou,
    overlap,
    placed,
    union,
)
from edge.rules.clutter.spans import (
    Dated,
    Dater,
    Span,
    came_together,
    date_pixels,
    hidden_long,
    holds,
    pixels_hold,
    split_by_date,
)
from edge.rules.people import (
    PeopleFinder,
    PeopleShapes,
)
from edge.zonemask import Polygon, analysis_size, analysis_window, polygon_mask, zone_mask
from sharpeyes.config import CameraConfig, Zone
from sharpeyes.contract import AlertKind, Severity
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.logs import fields
from sharpeyes.timefmt import EPOCH, seconds

log = logging.getLogger(__name__)


class ItemConfirmer(Protocol):
    """Optional second opinion: does the box (full-resolution pixels) hold an object of a wanted class?"""

    def confirm(self, frame: np.ndarray, bbox: BBox) -> bool: ...


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
        self._masker = PeopleMasker(people, silhouettes, self.params) if people is not None else None
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
        self._people_now: np.ndarray | None = None  # this frame's pixels of people (a detector runs)
        # ... and the pixels at their edges the mask gives back to be seen (``PeopleNow.given_back``)
        self._given_back: np.ndarray | None = None
        self._standing: Standing | None = None  # this frame's standing anchors (``_blobs``)

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

    @property
    def frames(self) -> int:
        """Frames analysed with a person detector at hand ..."""
        return self._masker.frames if self._masker is not None else 0

    @property
    def people_frames(self) -> int:
        """... of which it ran (something in the zones differed from the empty corridor)."""
        return self._masker.detector_frames if self._masker is not None else 0

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
            items=tuple(item for item in self._items if overlap(item.bbox, box) > 0),
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
        found = None
        if self._masker is not None:
            found = self._masker.find(frame, fg, self._labels > 0, self._scale, t_s)
        self._people_now = None if found is None else found.mask
        self._given_back = None if found is None else found.given_back
        surely = None if found is None else found.sure
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
        among = blur_among(self._unblurred, ~people)
        beside = (
            cv2.dilate(people.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        ) & ~people  # the blur's reach
        return self._background.compare_again(fg, beside, among, t_s)

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
        for x, y, area, pixels in closed_parts(static, min_area, bridge, p.bridge_px):
            h, w = pixels.shape
            total = max(1, int(pixels.sum()))
            rows, cols = slice(y, y + h), slice(x, x + w)
            dater = self._dater(standing, rows, cols)
            pieces = split_by_date(pixels, dated[rows, cols], p.same_item_s, dater, p.apart_s, int(min_area))
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
        under = [i for i in self._items if not i.alerted and i.pixels is not None and lies_on(i, box)]
        apart = [i for i in under if any(o.id in i.apart for o in under)]
        if len(apart) > 1:  # things seen side by side that someone now stands across: each keeps its own
            return nearest_of(pixels, x, y, apart)
        date = self._dater(standing, slice(y, y + h), slice(x, x + w))
        whole: Span | None = None
        for item in under:
            theirs = item_mask(item, slice(y, y + h), slice(x, x + w)) & pixels
            if not theirs.any():
                continue
            rest = pixels & ~theirs
            if theirs.sum() < min_area or rest.sum() < min_area:
                continue
            if whole is None:
                whole = date(pixels)
                if any(came_together(other, whole, p) for other in under):
                    return [(x, y, pixels)]
            if not came_together(item, date(theirs), p):
                continue
            ys, xs = np.nonzero(theirs)
            back = theirs[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            return [(x + int(xs.min()), y + int(ys.min()), back)] + [
                (x + qx, y + qy, part) for qx, qy, _area, part in closed_parts(rest)
            ]
        return [(x, y, pixels)]

    def _dater(self, standing: Standing, rows: slice, cols: slice) -> Dater:
        """Dates a group of a blob's pixels (a mask of the box ``rows``, ``cols``) as ``date_pixels`` does."""

        def date(group: np.ndarray) -> Span:
            return date_pixels(
                self.params,
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
        span = date_pixels(self.params, *own)
        hidden = self._hidden_part(pixels, x, y, span)
        if hidden[0].size:
            span = date_pixels(self.params, *(np.concatenate(pair) for pair in zip(own, hidden, strict=True)))
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
        if anchors is None or not hidden_long(span, p.same_item_s):  # NaN (floor not seen): not
            return none, none, none
        after, by = span.came_after_s, span.shown_by_s
        h, w = pixels.shape
        rows, cols, blob = placed(pixels, x, y, h, w, self._labels.shape)
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

    def _is_ghost(self, pixels: np.ndarray, x: int, y: int, differs: np.ndarray) -> bool:
        """Someone who stood in view while the background was learned leaves, once gone, a patch of
        bare floor that differs from the (wrong) background and stands perfectly still. It looks like
        the empty floor around it, while the learned background there does not (it shows the person):
        take it into the background and forget it. An item the colour of the floor stands on a patch
        learned right, and stays."""
        if self._anchors is None or self._background is None:
            return False
        rows, cols, around = placed(pixels, x, y, 4, 4, differs.shape)
        grown = cv2.dilate(around.astype(np.uint8), ELLIPSE_3X3, iterations=2).astype(bool)
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
                and lies_on(i, blob.bbox)
                and came_together(i, blob, p)
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
                rows, cols = box_slices(item.bbox, differs.shape)
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
        """Items seen this frame with the empty floor showing between them are two (``seen_apart``)."""
        p = self.params
        for k, a in enumerate(seen):
            for b in seen[k + 1 :]:
                if b.id in a.apart or overlap(grow(a.bbox, 2 * p.bridge_px), b.bbox) <= 0:
                    continue
                if seen_apart(a, b, differs, self._people_now, p.bridge_px, p.apart_share):
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
        rows, cols = box_slices(item.bbox, differs.shape)
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
            box = union(box, blob.bbox)
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
        if iou(box, item.footprint) < self.params.steady_iou or bare > self.params.bare_blob:
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
        """``waits``, with this frame's people and the edges the mask gave back to be seen."""
        return waits(item, self.params, t_s, dwell_s, moving, self._people_now, self._given_back)

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
        rows, cols = box_slices(item.bbox, self._owned.shape, 2)
        if not self._owned[rows, cols].any():
            return False
        for other in self._items:
            if not other.alerted or other.pixels is None or overlap(grow(other.bbox, 2), item.bbox) <= 0:
                continue
            if overlap(grow(other.bbox, -2), item.bbox) <= 0 and not pixels_touch(item, other):
                continue  # only the fringes of their boxes meet: it stands apart (further back, say)
            if other.id not in item.apart and (  # the floor seen between them: not a piece of it
                came_together(item, other, self.params)
                # hidden all the while the reported item came (the last strip of an item a crowd
                # uncovered); something put down later beside it lets the floor show after it came
                or holds(item, other.since_s)
                or showed_with(item, other, self.params.same_item_s)
                or self._mostly_holds(item, other.since_s)
            ):
                item.alerted = True
                self._own(item)
                return True
            if self._in_view(other) >= self.params.beside_in_view:
                continue  # nothing stands in front of it: what touches it stands beside it
            if overlap(grow(other.bbox, -2), item.bbox) > self.params.in_front:
                return True
            if self.people is None and t_s - item.since_s < self.params.beside_dwells * dwell_s:
                return True  # knowing where people are, no person's piece is taken for an item
        return False

    def _mostly_holds(self, item: TrackedItem, when_s: float) -> bool:
        """``pixels_hold`` over the item's last pixels, at ``piece_holds``; off (None): no."""
        share = self.params.piece_holds
        if share is None or self._standing is None or item.pixels is None:
            return False
        rows, cols = box_slices(item.bbox, self._owned.shape)
        mine = item_mask(item, rows, cols)
        floor, shown = self._standing.floor_s[rows, cols][mine], self._standing.shown_s[rows, cols][mine]
        return pixels_hold(floor, shown, when_s, share)

    def _in_view(self, item: TrackedItem) -> float:
        """Share of a reported item's pixels that show it now (its anchors when reported, the older where
        someone stood in front already; followed through slow light changes): someone standing in front
        hides part of it, something set down beside it does not."""
        if self._anchors is None or item.core is None or item.look is None or not item.core.any():
            return 0.0
        rows, cols = box_slices(item.bbox, self._owned.shape)  # the box ``look`` was cut from in ``_own``
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
        rows, cols, core = placed(
            item.pixels, round(item.bbox[0]), round(item.bbox[1]), m, m, self._owned.shape
        )
        grown = cv2.dilate(core.astype(np.uint8), ELLIPSE_3X3, iterations=m) > 0
        item.bbox = (float(cols.start), float(rows.start), float(cols.stop), float(rows.stop))
        item.pixels = grown
        item.core = core
        if self._anchors is not None:
            item.look = self._anchors.older_value(rows, cols).astype(np.float32)
        self._owned[rows, cols] |= grown

    def _full_res(self, bbox: BBox) -> BBox:
        s = self._scale
        return (round(bbox[0] / s, 1), round(bbox[1] / s, 1), round(bbox[2] / s, 1), round(bbox[3] / s, 1))
