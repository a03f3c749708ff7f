"""Where people are in a frame, for the clutter rule: the pixels to keep out of items (their boxes, or what
they show with a silhouette model), the pixels surely a person (for the anchors' look-back), and the edge
pixels the mask gives back to be seen (``PeopleParams.distinct_tolerance``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.rules.background import Foreground
from edge.rules.clutter.params import ClutterParams
from edge.rules.people import (
    PeopleFinder,
    PeopleHold,
    PeopleShapes,
    distinct_edge,
    mixed_edge,
    people_mask,
    silhouette_layers,
)


@dataclass(frozen=True)
class PeopleNow:
    """This frame's people at analysis size."""

    mask: np.ndarray  # pixels of people: what shows there never starts an item
    # pixels surely a person, when the look-back skips people (``AnchorParams.lookback_skips_people``)
    sure: np.ndarray | None
    # pixels at their edges the mask gives back to be seen: what shows there may be an item, but what moves
    # there is the person (``PeopleParams.distinct_tolerance``; None: none given back)
    given_back: np.ndarray | None


class PeopleMasker:
    """Finds people with a person detector (and, if given, a silhouette model) and holds those it loses
    while they stand still (``PeopleHold``). An empty fire lane has nobody in it: the detector runs only
    when something in the zones differs from the empty corridor."""

    def __init__(self, finder: PeopleFinder, silhouettes: PeopleShapes | None, params: ClutterParams) -> None:
        self.finder = finder
        self.silhouettes = silhouettes  # None: people's whole boxes are masked
        self.params = params
        self.frames = 0  # frames looked at ...
        self.detector_frames = 0  # ... of which the detector ran
        self._hold = PeopleHold(params.people)

    def find(
        self, frame: np.ndarray, fg: Foreground, in_zones: np.ndarray, scale: float, t_s: float
    ) -> PeopleNow:
        """People in ``frame`` (full resolution) at the analysis size of ``fg``; ``in_zones``: the analysis
        pixels inside the zones."""
        self.frames += 1
        boxes = np.zeros((0, 4), np.float32)
        if (fg.differs & in_zones).any():
            self.detector_frames += 1
            boxes = self.finder.boxes(frame)
        held = self._hold.update(boxes, t_s, fg.image, scale)
        shape = fg.differs.shape
        if self.silhouettes is None:
            return PeopleNow(people_mask(held, shape, scale, self.params.people.margin), None, None)
        skips = self.params.anchors.lookback_skips_people  # the look-back wants who surely stood where
        if not len(held):
            return PeopleNow(np.zeros(shape, bool), np.zeros(shape, bool) if skips else None, None)
        people = self.params.people
        tolerance = people.mix_tolerance  # None: the mask is grown by chance, in ``silhouette_layers``
        distinct = people.distinct_tolerance
        layers = silhouette_layers(
            self.silhouettes,
            frame,
            held,
            shape,
            scale,
            people.grow_px if tolerance is None else 0,
            people.grow_chance,
            people.sure_chance if skips or tolerance is not None or distinct is not None else None,
        )
        mask, sure = layers.mask, layers.sure
        given_back = None
        if tolerance is not None:
            mask = mask | mixed_edge(fg.image, fg.reference, mask, sure, people.grow_px, tolerance)
        elif distinct is not None:
            grown = mask & ~layers.core
            given_back = distinct_edge(fg.image, fg.reference, grown, sure, people.grow_px, distinct)
            mask = mask & ~given_back
        return PeopleNow(mask, sure if skips else None, given_back)
