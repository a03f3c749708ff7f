"""The clutter rule's tunables (``ClutterParams``): distances and pixel counts are for the analysis width,
each with the session that set it (benchmarks/RESULTS.md, "Corridor clutter")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from edge.rules.anchors import AnchorParams
from edge.rules.background import BackgroundParams
from edge.rules.people import (
    PeopleParams,
)


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
    # ... unless the empty floor was seen between them with nobody on it (``seen_apart``): then a person
    # later standing across the gap, or their dates, never make them one (RESULTS.md, session 28)
    keep_apart: bool = True
    apart_share: float = 0.5  # ... the floor between them (their hull) differing at fewer of its pixels
    apart_s: float = 1.0  # ... unless both were seen to come this sharply, this far apart (``spans_apart``)
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
