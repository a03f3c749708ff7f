"""Where people are in a frame, from a detector's person class: rules must not take people for things.

The clutter rule is model-free: anything that holds still in the fire lane long enough is a candidate
item. People who stop (to talk, to wait, beside an item) hold still too, and in a crowd at the far end
their traces join a real item's blob and change its shape and date. A person detector says which pixels
are people: the rule neither starts an item there nor counts the time a person hides an item against it.
Any manifest with a person class works (the shipped reference model, or a real YOLO export).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from edge.detect.decode import intersection_matrix, iou_matrix
from edge.detect.detections import Detections
from edge.rules.background import channel_max
from edge.tracking import greedy_pairs
from edge.zonemask import analysis_window

PERSON_NAMES = frozenset({"person", "pedestrian", "people"})


class NoPersonClass(ValueError):
    """The model has no class that is a person: it cannot mask people."""


class FrameDetector(Protocol):
    """What people finding needs from a detector (``edge.detect.Detector`` is one)."""

    @property
    def class_names(self) -> list[str]: ...

    def detect(self, frame: np.ndarray) -> Detections: ...


@dataclass(frozen=True)
class PeopleParams:
    # a person's box is grown by this share of its height on every side: limbs swing out of the box a
    # detector drew a moment ago, and the rule looks at frames a fifth of a second apart
    margin: float = 0.1
    # a person the detector loses (half hidden behind someone walking in front, a bag at their feet) is
    # still where they were last found while their box shows what it showed then (they stand still),
    # or while someone found covers in_front of it (walking in front of them, hiding what it shows);
    # only someone found in this many frames on end (a stray box on an item would hide the item), and
    # at most hold_still_s
    still_hits: int = 3
    still_match: float = 14.0  # grey levels within which a pixel shows the same
    still_share: float = 0.8  # of the box's pixels
    hold_still_s: float = 60.0
    # ... and anyone lost is kept this long whatever their box shows (0: not; 2 s hid far items in busy
    # corridors behind boxes of people long gone, and cost more items than it saved)
    hold_s: float = 0.0
    match_iou: float = 0.3  # a box this close to one of the frame before is the same person, moved on
    in_front: float = 0.2  # a lost person's box this much covered by someone found: maybe behind them
    # with a silhouette model (``PeopleShapes``) only the pixels it says a person shows are masked, grown
    # by this many analysis pixels (an edge the model drew a pixel short; a foot that moved since) ...
    grow_px: int = 1
    # ... only into pixels the model gives more than this chance (crops brought to analysis size by
    # area): a blurred edge, not floor or an item showing between someone's legs; None grows into every
    # pixel (the rule up to session 25). Alone it leaves standing talkers' edges to stand as items
    # (``ClutterParams.blur_among_free`` keeps their colour out; RESULTS.md, sessions 25–26)
    grow_chance: float | None = 0.05
    # ... or (when set) into pixels whose colour is a mix of the empty corridor's and that of a pixel within
    # grow_px the model is sure is a person (sure_chance), to this many levels on every channel: an edge
    # blurred into the floor, whatever chance the model gives it. An item beside someone's feet is no such
    # mix, even where the model gives it a chance (173-1: a purple item beside green trousers). Off: on 153
    # clips it found 173-1 but made two false alerts and lost an item (RESULTS.md, session 36)
    mix_tolerance: float | None = None
    # ... else (None: off) grown by chance, less the grown pixels whose colour lies further than this many
    # levels from every such mix, or that lie beside no sure pixel: the chance-grown mask gives back what
    # is of its own colour (an item at someone's feet) and keeps the edges and between-leg strips it was
    # tuned to cover. With ``ClutterParams.piece_holds`` 0.5 it finds 173-1 (a purple item beside green
    # trousers) over all 237 clips with nothing lost and no false alert; None: every grown pixel kept, the
    # rule up to session 37 (RESULTS.md, sessions 37–38)
    distinct_tolerance: float | None = 15.0
    # what the look-back skips as surely a person (``AnchorParams.lookback_skips_people``): pixels the
    # model gives more than this chance (None: its own threshold), not grown. At 0.9 the shipped model
    # leaves all the floor between and beside legs open and still covers 0.84 of people's pixels; at its
    # threshold (0.5) it covered strips of an item between legs and dated it late (RESULTS.md, session 31)
    sure_chance: float | None = 0.9


class PeopleShapes(Protocol):
    """Which pixels of people's boxes are people (``edge.detect.silhouette.PersonSilhouettes`` is one)."""

    @property
    def threshold(self) -> float:
        """A pixel shows a person above this chance."""
        ...

    def mask(self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray:
        """Pixels of an image ``shape`` (``frame`` scaled by ``scale``) that the people in ``boxes`` (frame
        pixels) show."""
        ...

    def chances_at(
        self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float
    ) -> np.ndarray:
        """Per pixel of the same image, the chance it shows one of them."""
        ...


class PeopleFinder(Protocol):
    def boxes(self, frame: np.ndarray) -> np.ndarray:
        """People in a BGR frame: (N, 4) ``x1, y1, x2, y2`` in frame pixels."""
        ...


class DetectedPeople:
    """People as a detector's person class finds them (``PeopleFinder``)."""

    def __init__(
        self,
        detector: FrameDetector,
        names: Sequence[str] | None = None,
    ) -> None:
        wanted = {n.lower() for n in names} if names is not None else PERSON_NAMES
        ids = [i for i, n in enumerate(detector.class_names) if n.lower() in wanted]
        if not ids:
            raise NoPersonClass(f"no person class among {detector.class_names} (looked for {sorted(wanted)})")
        self.detector = detector
        self._ids = np.asarray(ids)

    def boxes(self, frame: np.ndarray) -> np.ndarray:
        """The person boxes among the detector's results (a ``OncePerFrame`` detector shares its run
        with the camera's other rules)."""
        found = self.detector.detect(frame)
        return found.xyxy[np.isin(found.class_id, self._ids)].astype(np.float32)


class PeopleHold:
    """People as they stand from frame to frame. A detector misses a standing person now and then (a
    passer-by in front, a bag at their feet), sometimes for seconds; for the rule that is a moment of
    still pixels "with nobody over them", enough to take a person for an item. A box that no box of
    this frame continues (by IoU, one to one, as the tracker matches) is kept as long as it shows what
    it showed when last found or someone found covers it (``hold_still_s`` at most), and ``hold_s`` in
    any case."""

    def __init__(self, params: PeopleParams | None = None) -> None:
        self.params = params or PeopleParams()
        self._boxes = np.zeros((0, 4), np.float32)
        self._seen_s = np.zeros(0, np.float64)  # last found (or last seen unchanged, while held)
        self._found_s = np.zeros(0, np.float64)  # last found by the detector
        self._hits = np.zeros(0, np.int64)  # found in this many frames on end
        self._looks: list[np.ndarray | None] = []  # what the box showed when last found

    def update(
        self, boxes: np.ndarray, t_s: float, image: np.ndarray | None = None, scale: float = 1.0
    ) -> np.ndarray:
        """This frame's boxes (frame pixels) and those held from before, (N, 4). ``image``: the frame
        as the rule sees it (``scale`` of the frame's size), to tell a lost person still standing."""
        p = self.params
        now = np.asarray(boxes, np.float32).reshape(-1, 4)
        continued = np.full(len(now), -1)
        lost = np.ones(len(self._boxes), bool)
        if len(self._boxes) and len(now):
            for r, c in greedy_pairs(iou_matrix(self._boxes, now), p.match_iou):
                lost[r] = False  # seen again (maybe moved): this frame's box stands for them
                continued[c] = r
        # someone found this frame over a lost person's box may be walking in front of them: that says
        # nothing of whether they still stand there
        covered = np.zeros(len(self._boxes), bool)
        if len(self._boxes) and len(now):
            covered = _covers(now, self._boxes) >= p.in_front
        for i in np.nonzero(lost)[0]:
            look = self._looks[i]
            if (
                image is not None
                and look is not None
                and self._hits[i] >= p.still_hits
                and t_s - self._found_s[i] <= p.hold_still_s
                and (covered[i] or self._unchanged(look, _crop(image, self._boxes[i], scale)))
            ):
                self._seen_s[i] = t_s
        held = lost & (self._seen_s >= t_s - p.hold_s)
        hits = np.concatenate([self._hits, [0]])[continued] + 1  # continued -1: a new one
        looks = [_crop(image, b, scale) if image is not None else None for b in now]
        self._boxes = np.concatenate([now, self._boxes[held]])
        self._seen_s = np.concatenate([np.full(len(now), t_s), self._seen_s[held]])
        self._found_s = np.concatenate([np.full(len(now), t_s), self._found_s[held]])
        self._hits = np.concatenate([hits, self._hits[held]])
        self._looks = looks + [self._looks[i] for i in np.nonzero(held)[0]]
        return self._boxes

    def _unchanged(self, look: np.ndarray, now: np.ndarray | None) -> bool:
        if now is None or now.shape != look.shape or not look.size:
            return False
        apart = np.abs(now.astype(np.float32) - look.astype(np.float32)).reshape(*now.shape[:2], -1)
        return float((apart.max(axis=2) <= self.params.still_match).mean()) >= self.params.still_share


def _covers(front: np.ndarray, behind: np.ndarray) -> np.ndarray:
    """For each box of ``behind``, the largest share of it any box of ``front`` covers."""
    area = (behind[:, 2] - behind[:, 0]) * (behind[:, 3] - behind[:, 1])
    inter = intersection_matrix(front, behind)
    return np.asarray((inter / np.maximum(area, 1e-6)[None, :]).max(axis=0))


def _crop(image: np.ndarray, box: np.ndarray, scale: float) -> np.ndarray | None:
    window = analysis_window(box, scale, image.shape)
    return None if window is None else image[window].copy()


def people_mask(boxes: np.ndarray, shape: tuple[int, int], scale: float, margin: float) -> np.ndarray:
    """Pixels of an image ``shape`` (the frame scaled by ``scale``) inside any box grown by ``margin``
    of its height."""
    mask = np.zeros(shape, np.uint8)
    h, w = shape
    for x1, y1, x2, y2 in np.asarray(boxes, np.float32).reshape(-1, 4):
        m = margin * (y2 - y1)
        a = (max(0, int((x1 - m) * scale)), max(0, int((y1 - m) * scale)))
        b = (min(w - 1, int(np.ceil((x2 + m) * scale))), min(h - 1, int(np.ceil((y2 + m) * scale))))
        if a[0] <= b[0] and a[1] <= b[1]:
            cv2.rectangle(mask, a, b, 1, -1)
    return mask.astype(bool)


@dataclass(frozen=True)
class SilhouetteLayers:
    """What a silhouette model says of people's pixels (``silhouette_layers``), analysis size."""

    core: np.ndarray  # above the model's threshold
    mask: np.ndarray  # ``core`` grown: what the rule masks
    sure: np.ndarray  # surely a person (``sure_chance``), not grown


def silhouette_layers(
    shapes: PeopleShapes,
    frame: np.ndarray,
    boxes: np.ndarray,
    shape: tuple[int, int],
    scale: float,
    grow_px: int,
    grow_chance: float | None = None,
    sure_chance: float | None = None,
) -> SilhouetteLayers:
    """The pixels the people in ``boxes`` show (``shapes``), grown by ``grow_px``: what the rule masks when
    it knows people's outlines, not just their boxes. Grown into every pixel (``grow_chance`` None), or
    only into pixels the model is unsure are free, so what shows between someone's legs stays open.

    And the pixels surely a person: above ``sure_chance`` (None: the model's own threshold, the pixels
    the mask was grown from), not grown. At 0.9 they leave open all the floor showing between and beside
    people's legs and still cover most of their pixels (``benchmarks/silhouette_edges.py``)."""
    chances = None
    if grow_chance is None:
        core = shapes.mask(frame, boxes, shape, scale)
        unsure = None
    else:
        chances = shapes.chances_at(frame, boxes, shape, scale)
        core = chances > shapes.threshold
        unsure = chances > grow_chance
    sure = core
    if sure_chance is not None:
        if chances is None:
            chances = shapes.chances_at(frame, boxes, shape, scale)
        sure = chances > sure_chance
    mask = core
    if grow_px > 0 and core.any():
        kernel = np.ones((2 * grow_px + 1, 2 * grow_px + 1), np.uint8)
        grown = cv2.dilate(core.astype(np.uint8), kernel) > 0
        mask = grown if unsure is None else core | (grown & unsure)
    return SilhouetteLayers(np.asarray(core, bool), np.asarray(mask, bool), np.asarray(sure, bool))


def blend_distance(
    image: np.ndarray, empty: np.ndarray, band: np.ndarray, sure: np.ndarray, reach: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pixel of ``band``, how far (grey levels, the worst channel) its colour (``image``, float
    BGR) lies from the segment between the empty corridor's (``empty``) and that of a pixel within
    ``reach`` of it in ``sure``, the nearest such segment: 0 for a person's edge blurred into the floor,
    far for something of its own colour beside them. Inf where no sure pixel lies within reach. Returns
    the band's rows, columns and distances. All (2 reach + 1)^2 neighbours at once: a band is a few
    hundred pixels, and a loop over the neighbours took 2.4 times as long (RESULTS.md, session 38)."""
    ys, xs = np.nonzero(band)
    h, w = band.shape
    span = np.arange(-reach, reach + 1)
    yy = ys[:, None] + np.repeat(span, len(span))[None, :]  # (pixels, neighbours)
    xx = xs[:, None] + np.tile(span, len(span))[None, :]
    inside = (yy >= 0) & (yy < h) & (xx >= 0) & (xx < w)
    yy, xx = np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)
    person = inside & sure[yy, xx]
    floor = empty[ys, xs].astype(np.float32)[:, None, :]
    off_floor = image[ys, xs].astype(np.float32)[:, None, :] - floor
    towards = image[yy, xx].astype(np.float32) - floor
    # over the three channels by hand: numpy's reductions over so short an axis cost more than the sums
    dot, norm = off_floor * towards, towards * towards
    along = (dot[..., 0] + dot[..., 1] + dot[..., 2]) / np.maximum(
        norm[..., 0] + norm[..., 1] + norm[..., 2], 1.0
    )
    share = np.clip(along, 0.0, 1.0)  # how much of the person's colour the pixel mixes in
    off_mix = channel_max(np.abs(off_floor - share[..., None] * towards))
    best = np.where(person, off_mix, np.float32(np.inf)).min(1, initial=np.inf)
    return ys, xs, best


def mixed_edge(
    image: np.ndarray, empty: np.ndarray, core: np.ndarray, sure: np.ndarray, reach: int, tolerance: float
) -> np.ndarray:
    """The pixels within ``reach`` of ``core`` (not in it) whose colour lies within ``tolerance`` of a blend
    of the empty corridor's and a sure person pixel's nearby (``blend_distance``): a person's edge blurred
    into the floor, not something of its own colour standing beside them."""
    band = (cv2.dilate(core.astype(np.uint8), np.ones((2 * reach + 1, 2 * reach + 1), np.uint8)) > 0) & ~core
    ys, xs, best = blend_distance(image, empty, band, sure, reach)
    mixed = np.zeros_like(band)
    keep = best <= tolerance
    mixed[ys[keep], xs[keep]] = True
    return mixed


def distinct_edge(
    image: np.ndarray, empty: np.ndarray, grown: np.ndarray, sure: np.ndarray, reach: int, tolerance: float
) -> np.ndarray:
    """The pixels of ``grown`` (a mask's grown edge) whose colour lies further than ``tolerance`` from
    every blend of the empty corridor's and a sure person pixel's within ``reach`` (``blend_distance``):
    something of its own colour at someone's feet, not their blurred edge. A pixel with no sure pixel
    within reach is no one's blurred edge either (an item the model took a few pixels of for the person,
    173-1): given back too."""
    ys, xs, best = blend_distance(image, empty, grown, sure, reach)
    distinct = np.zeros_like(grown)
    drop = best > tolerance
    distinct[ys[drop], xs[drop]] = True
    return distinct
