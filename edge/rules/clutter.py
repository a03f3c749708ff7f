"""``corridor_clutter``: something has stood in an escape route for longer than the zone's ``dwell_s``.

Model-free: the zone is compared with a learned empty background (``EmptyBackground``). Pixels that
have differed for at least ``static_s`` form candidate blobs; a blob is an *item* with ``since`` = the
median onset of its pixels (when it appeared, not when we noticed). People walking through never stay
``static_s`` on the same pixels; one who pauses leaves before the dwell. An item raises one alert when
it has been there ``dwell_s``; it is forgotten only when its pixels match the background again for
``gone_s`` (removed), so a passer-by occluding it changes nothing. Optionally a detector must confirm
that the blob holds one of some classes before the alert goes out.
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
from edge.rules.background import BackgroundParams, EmptyBackground, ForegroundState
from edge.rules.history import AppearanceHistory
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
    static_s: float = 4.0  # a pixel must differ this long before it can belong to an item
    min_area_fraction: float = 0.0008  # of the analysed frame (about 46 px at 320x180)
    gone_s: float = 3.0  # an item unseen this long has been removed
    redate_every_s: float = 1.0
    twin_s: float = 4.0  # touching items whose arrivals are this close are one object
    presence: float = 0.5  # share of remembered frames since arrival in which the item looked as it does
    snapshot_max_bytes: int = 120_000
    background: BackgroundParams = field(default_factory=BackgroundParams)


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
    dated_s: float = 0.0


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
        self._labels = np.zeros((0, 0), np.int32)
        self._owner = np.zeros((0, 0), np.int32)
        self._now = 0.0
        self._image = np.zeros((0, 0, 3), np.float32)
        self._history = AppearanceHistory()
        self._scale = 1.0
        self._items: list[TrackedItem] = []
        self._next_id = 1
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
        self._ring_kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))

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
        if self._background is None:
            raise RuntimeError("background not initialised")  # _prepare always sets it
        state = self._background.update(image, t_s)
        if state is None:
            return []
        self._now = t_s
        self._image = image
        self._assign(image, state, t_s)
        self._history.add(image, state.gain, t_s)
        self._refresh(state, t_s)
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
            self._owner = np.zeros((sh, sw), np.int32)
            self._items = []
        return small

    def _assign(self, image: np.ndarray, state: ForegroundState, t_s: float) -> None:
        """Give static pixels to items: each pixel belongs to at most one item, for as long as it differs.

        Pixel ownership (not blob overlap) keeps two boxes put down side by side apart, and keeps an item
        the same item while people walk past or in front of it.
        """
        owner = self._owner
        owner[np.isnan(state.onset)] = 0  # back to the empty floor: nobody's any more
        # arrival: since when the pixel has differed from the floor *and* shown what it shows now, so a
        # person's legs passing over a spot before a box lands there do not count towards the box
        arrival = np.maximum(state.onset, state.settled)  # NaN (matches the floor) stays NaN
        with np.errstate(invalid="ignore"):
            static = ((t_s - arrival) >= self.params.static_s) & (self._labels > 0)
        fresh = (static & (owner == 0)).astype(np.uint8)
        fresh = cv2.morphologyEx(fresh, cv2.MORPH_CLOSE, self._kernel) & static.astype(np.uint8)
        count, comp, stats, _ = cv2.connectedComponentsWithStats(fresh, connectivity=8)
        min_area = self.params.min_area_fraction * fresh.size
        ring = cv2.dilate(owner.astype(np.float32), self._ring_kernel).astype(np.int32)
        by_id = {item.id: item for item in self._items}
        for k in range(1, count):
            pixels = comp == k
            inside = self._inside(pixels)
            if inside is not None:
                owner[pixels] = inside.id
                continue
            touching = [by_id[int(i)] for i in np.unique(ring[pixels]) if int(i) in by_id]
            if touching:
                # a piece of an item noticed later (it was partly hidden): the same item. Two boxes put
                # down touching each other become one cluttered area, dated by the first.
                owner[pixels] = min(touching, key=lambda i: i.since_s).id
                continue
            if int(stats[k][4]) < min_area:
                continue  # too small to be an item (yet); may grow
            since = self._history.arrival(
                pixels, image, state.reference, fallback=float(np.nanmedian(arrival[pixels]))
            )
            zone_index = int(np.bincount(self._labels[pixels]).argmax())
            item = TrackedItem(
                id=self._next_id,
                zone=self.zones[zone_index - 1].name,
                bbox=(0, 0, 0, 0),
                since_s=since,
                last_seen_s=t_s,
            )
            self._next_id += 1
            owner[pixels] = item.id
            self._items.append(item)
            by_id[item.id] = item

    def _inside(self, pixels: np.ndarray) -> TrackedItem | None:
        """A live item whose box holds these fresh pixels: part of it was hidden, or its edge flickered."""
        ys, xs = np.nonzero(pixels)
        cx, cy = float(xs.mean()), float(ys.mean())
        m = 3.0
        for item in self._items:
            x0, y0, x1, y1 = item.bbox
            if item.last_seen_s == self._now and x0 - m <= cx <= x1 + m and y0 - m <= cy <= y1 + m:
                return item
        return None

    def _refresh(self, state: ForegroundState, t_s: float) -> None:
        min_area = self.params.min_area_fraction * self._owner.size
        kept = []
        for item in self._items:
            mine = self._owner == item.id
            area = int(mine.sum())
            if area >= min_area / 2:
                ys, xs = np.nonzero(mine)
                item.bbox = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
                item.last_seen_s = t_s
                item.contrast = float(np.median(state.diff[mine]))
                if not item.alerted and t_s - item.dated_s >= self.params.redate_every_s:
                    # until it is reported, date the item again from what its pixels show now: a
                    # passer-by who was taken for an item and then stood aside for a real box must not
                    # lend the box his arrival time
                    item.since_s = self._history.arrival(mine, self._image, state.reference, fallback=t_s)
                    item.dated_s = t_s
            if t_s - item.last_seen_s <= self.params.gone_s:
                kept.append(item)
                continue
            self._owner[mine] = 0
            if item.alerted:
                log.info(
                    "clutter removed",
                    extra=fields(zone=item.zone, item=item.id, stood_s=round(t_s - item.since_s, 1)),
                )
        self._items = self._merge_twins(kept)

    def _merge_twins(self, items: list[TrackedItem]) -> list[TrackedItem]:
        """Two items that touch and arrived together are one object noticed in two pieces."""
        m = 3.0
        merged: list[TrackedItem] = []
        for item in sorted(items, key=lambda i: (not i.alerted, i.since_s)):
            twin = next(
                (
                    keep
                    for keep in merged
                    if abs(keep.since_s - item.since_s) <= self.params.twin_s
                    and keep.bbox[0] - m <= item.bbox[2]
                    and item.bbox[0] - m <= keep.bbox[2]
                    and keep.bbox[1] - m <= item.bbox[3]
                    and item.bbox[1] - m <= keep.bbox[3]
                ),
                None,
            )
            if twin is None:
                merged.append(item)
                continue
            self._owner[self._owner == item.id] = twin.id
            twin.bbox = (
                min(twin.bbox[0], item.bbox[0]),
                min(twin.bbox[1], item.bbox[1]),
                max(twin.bbox[2], item.bbox[2]),
                max(twin.bbox[3], item.bbox[3]),
            )
            twin.alerted = twin.alerted or item.alerted
        return merged

    def _due(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        drafts = []
        dwell = {z.name: z.dwell_s for z in self.zones}
        polygon = {z.name: z.polygon for z in self.zones}
        for item in self._items:
            if item.alerted or item.last_seen_s != t_s or t_s - item.since_s < dwell[item.zone]:
                continue
            if item.contrast < self.params.background.threshold:
                continue  # mostly matches the floor right now (hidden, or fading): look again later
            if (
                self._history.presence(self._owner == item.id, self._image, item.since_s)
                < self.params.presence
            ):
                continue  # not seen as itself most of the time: passers-by, not an object
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
