"""``corridor_clutter``: something has stood in an escape route for longer than the zone's ``dwell_s``.

Model-free: each frame is compared with a learned empty corridor in a reference lighting
(``EmptyBackground``), and per pixel we keep what has stood still on it and since when (``Anchors``):
walking people never hold a pixel still, items do, and an item's anchor survives people passing or
standing in front of it. Pixels whose anchor is ``static_s`` old and was in view for most of its life
form blobs; each blob is tracked by overlap as one *item* whose ``since`` is the median date of its
pixels' anchors (when it was put down, not when we noticed). An item raises one alert when it has stood
``dwell_s``; it is forgotten only when its blob has been gone ``hold_s`` (its pixels showed the empty
floor long enough to drop their anchors: removed). Optionally a detector must confirm the blob.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import cv2
import numpy as np

from edge.analyzer import AlertDraft
from edge.evidence import snapshot
from edge.rules.anchors import AnchorParams, Anchors
from edge.rules.background import BackgroundParams, EmptyBackground
from edge.zonemask import Polygon, analysis_size, polygon_mask, zone_mask
from sharpeyes.config import CameraConfig, Zone
from sharpeyes.contract import AlertKind, Severity
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.logs import fields
from sharpeyes.timefmt import EPOCH, seconds

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class ClutterParams:
    width: int = 320  # analysis width in pixels
    static_s: float = 5.0  # an anchor this old can belong to an item (people pause for less)
    presence: float = 0.5  # ... if it was in view for this share of its life
    visible: float = 0.5  # an item is reported while this share of it shows itself
    since_percentile: float = 30.0  # of its pixels' dates: parts hidden at first are dated later
    ghost_match: float = 10.0  # a still patch this close to the floor around it is bare floor
    min_area_fraction: float = 0.0008  # of the analysed frame (about 46 px at 320x180)
    hold_s: float = 3.0  # an item whose blob has been gone this long has been removed
    snapshot_max_bytes: int = 120_000
    background: BackgroundParams = field(default_factory=BackgroundParams)
    anchors: AnchorParams = field(default_factory=AnchorParams)


class ItemConfirmer(Protocol):
    """Optional second opinion: does the box (full-resolution pixels) hold an object of a wanted class?"""

    def confirm(self, frame: np.ndarray, bbox: BBox) -> bool: ...


@dataclass
class TrackedItem:
    id: int
    zone: str
    bbox: BBox  # analysis pixels
    since_s: float
    last_seen_s: float
    alerted: bool = False
    contrast: float = 0.0
    visible: float = 0.0


@dataclass(frozen=True)
class Blob:
    bbox: BBox
    area: int
    since_s: float
    contrast: float
    visible: float  # share of its pixels that show their anchor right now
    zone_index: int


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


class ClutterRule:
    """One camera's clutter rule (an ``Analyzer``). ``origin`` is the wall time of ``t_s = 0``."""

    def __init__(
        self,
        zones: Sequence[Zone],
        masks: Sequence[Polygon] = (),
        origin: datetime = EPOCH,
        params: ClutterParams | None = None,
        confirmer: ItemConfirmer | None = None,
    ) -> None:
        if not zones:
            raise ValueError("corridor_clutter needs at least one zone")
        self.zones = list(zones)
        self.masks = list(masks)
        self.origin = origin
        self.params = params or ClutterParams()
        self.confirmer = confirmer
        self._background: EmptyBackground | None = None
        self._anchors: Anchors | None = None
        self._labels = np.zeros((0, 0), np.int32)
        self._scale = 1.0
        self._items: list[TrackedItem] = []
        self._next_id = 1
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))

    @classmethod
    def from_camera(
        cls, camera: CameraConfig, origin: datetime = EPOCH, confirmer: ItemConfirmer | None = None
    ) -> ClutterRule:
        return cls(camera.zones, camera.mask, origin=origin, confirmer=confirmer)

    @property
    def items(self) -> list[TrackedItem]:
        return list(self._items)

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        image = self._prepare(frame)
        if self._background is None or self._anchors is None:
            raise RuntimeError("background not initialised")  # _prepare always sets it
        fg = self._background.update(image, t_s)
        if fg is None:
            return []
        self._anchors.update(fg, t_s)
        self._track(self._blobs(fg.diff, fg.differs, t_s), t_s)
        return self._due(frame, t_s)

    def finish(self, t_s: float) -> list[AlertDraft]:
        return []  # an item that has not reached its dwell by the end of the stream is not clutter yet

    # -- steps ---------------------------------------------------------------------------------------
    def _prepare(self, frame: np.ndarray) -> np.ndarray:
        h, w = frame.shape[:2]
        sw, sh, scale = analysis_size(w, h, self.params.width)
        colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        small: np.ndarray = cv2.resize(colour, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
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
            self._anchors = Anchors((sh, sw), self.params.anchors)
            self._items = []
        return small

    def _blobs(self, diff: np.ndarray, differs: np.ndarray, t_s: float) -> list[Blob]:
        """Connected groups of pixels whose anchors are old enough and were mostly in view."""
        if self._anchors is None:
            return []
        p = self.params
        static, dated = self._anchors.static(t_s, p.static_s, p.presence)
        static &= self._labels > 0
        mask = cv2.morphologyEx(static.astype(np.uint8), cv2.MORPH_CLOSE, self._kernel)
        count, comp, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        min_area = p.min_area_fraction * mask.size
        blobs = []
        for k in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[k])
            if area < min_area:
                continue
            pixels = (comp[y : y + h, x : x + w] == k) & static[y : y + h, x : x + w]
            if not pixels.any():
                continue
            if self._is_ghost(pixels, x, y, differs):
                continue
            since = dated[y : y + h, x : x + w][pixels]
            labels = self._labels[y : y + h, x : x + w][pixels]
            blobs.append(
                Blob(
                    bbox=(float(x), float(y), float(x + w), float(y + h)),
                    area=area,
                    since_s=float(np.percentile(since, p.since_percentile)),
                    contrast=float(np.median(diff[y : y + h, x : x + w][pixels])),
                    visible=float(self._anchors.matches[y : y + h, x : x + w][pixels].mean()),
                    zone_index=int(np.bincount(labels).argmax()),
                )
            )
        return blobs

    def _is_ghost(self, pixels: np.ndarray, x: int, y: int, differs: np.ndarray) -> bool:
        """Someone who stood in view while the background was learned leaves, once gone, a patch of
        bare floor that differs from the (wrong) background and stands perfectly still. It looks like
        the empty floor around it, which no item does: take it into the background and forget it."""
        if self._anchors is None or self._background is None:
            return False
        h, w = pixels.shape
        m = 4
        y0, y1, x0, x1 = (
            max(0, y - m),
            min(differs.shape[0], y + h + m),
            max(0, x - m),
            min(differs.shape[1], x + w + m),
        )
        around = np.zeros((y1 - y0, x1 - x0), bool)
        around[y - y0 : y - y0 + h, x - x0 : x - x0 + w] = pixels
        grown = cv2.dilate(around.astype(np.uint8), self._kernel, iterations=2).astype(bool)
        ring = ~grown & ~differs[y0:y1, x0:x1] & (self._labels[y0:y1, x0:x1] > 0)
        if int(ring.sum()) < 10:
            return False
        inside = self._anchors.value[y0:y1, x0:x1][around].mean(axis=0)
        floor = self._background.reference[y0:y1, x0:x1][ring].mean(axis=0)
        if float(np.abs(inside - floor).max()) > self.params.ghost_match:
            return False
        region = np.zeros(differs.shape, bool)
        region[y0:y1, x0:x1] = around
        self._background.absorb(region, self._anchors.value)
        self._anchors.forget(region)
        return True

    def _track(self, blobs: list[Blob], t_s: float) -> None:
        """Each blob continues the item it overlaps most (alerted items first), or starts a new one."""
        claimed: set[int] = set()
        merged: set[int] = set()
        for blob in sorted(blobs, key=lambda b: -b.area):
            overlapping = [i for i in self._items if i.id not in merged and _overlap(i.bbox, blob.bbox) > 0.3]
            free = [i for i in overlapping if i.id not in claimed]
            if not free and overlapping:
                # a second piece of an item already matched this frame (split by someone in front)
                owner = overlapping[0]
                owner.bbox = _union(owner.bbox, blob.bbox)
                continue
            if free:
                best = min(free, key=lambda i: (not i.alerted, i.since_s))
                for other in free:
                    if other is not best:  # pieces of one item noticed apart have joined up
                        best.alerted = best.alerted or other.alerted
                        merged.add(other.id)
                best.bbox = blob.bbox
            else:
                best = TrackedItem(
                    id=self._next_id,
                    zone=self.zones[blob.zone_index - 1].name,
                    bbox=blob.bbox,
                    since_s=blob.since_s,
                    last_seen_s=t_s,
                )
                self._next_id += 1
                self._items.append(best)
            claimed.add(best.id)
            best.last_seen_s = t_s
            best.contrast = blob.contrast
            best.visible = blob.visible
            if not best.alerted:
                # date it again from what qualifies now: a passer-by's trace no longer does, parts
                # hidden at first do (dated later, hence a low percentile)
                best.since_s = blob.since_s
        self._items = [i for i in self._items if i.id not in merged]
        kept = []
        for item in self._items:
            if t_s - item.last_seen_s <= self.params.hold_s:
                kept.append(item)
            elif item.alerted:
                log.info(
                    "clutter removed",
                    extra=fields(zone=item.zone, item=item.id, stood_s=round(t_s - item.since_s, 1)),
                )
        self._items = kept

    def _due(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        drafts = []
        dwell = {z.name: z.dwell_s for z in self.zones}
        polygon = {z.name: z.polygon for z in self.zones}
        for item in self._items:
            if item.alerted or item.last_seen_s != t_s or t_s - item.since_s < dwell[item.zone]:
                continue
            if item.visible < self.params.visible:
                continue  # hidden right now (or a trace of someone gone): look again when it shows
            bbox = self._full_res(item.bbox)
            if self.confirmer is not None and not self.confirmer.confirm(frame, bbox):
                continue
            item.alerted = True
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

    def _full_res(self, bbox: BBox) -> BBox:
        s = self._scale
        return (round(bbox[0] / s, 1), round(bbox[1] / s, 1), round(bbox[2] / s, 1), round(bbox[3] / s, 1))
