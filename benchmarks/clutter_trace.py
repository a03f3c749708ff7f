"""Why ``corridor_clutter`` did (not) report one item of a generated clip: the rule's state over the item.

    python benchmarks/clutter_trace.py build/fresh12/corridor-151-1.truth.json item-3
    python benchmarks/clutter_trace.py build/ev3t/corridor-71-0.truth.json item-1 --every 1 --people none

Replays the clip as ``clutter_eval.py`` does and, from a second before the item was put down until it was
taken away, prints a line every ``--every`` analysed frames: shares of the item's pixels that hold an
anchor, show it right now, came up on a person and are not yet proven, stand (old enough, in view enough,
proven), and lie inside someone's box; the anchors' median date; the tracked items over it (id, since,
reported or not); and every alert the rule raises. A miss reads as where the chain stops: never anchored
(hidden, or the colour of the floor), anchored but unproven (people's boxes over it), proven but never
standing (out of view too much), or standing but dated far from the placement.

``--pixels T ...`` prints, at those times, the same pixel by pixel: each pixel's anchor and the one put
aside, their dates and shares of time in view. Two items joined into one blob, or an item's anchors lost
while people stood on it, show there.

``--follow X Y`` follows one pixel of the item's box (analysis pixels, as ``--pixels`` numbers the box)
frame by frame: what it shows, its anchor and the one put aside with their colours and dates. Which
value pushed which out of the pixel's memory, and when, shows there.

``--colour R G B`` adds to each line how many of the box's pixels show that colour (within ``--within``
levels on every channel) in the image the rule analyses, and how many of those lie under people's mask:
whether what a camera saw of an item (the truth's ``in_view``) is in the analysed image at all.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # trace this checkout, not an installed one

from benchmarks.clutter_eval import (
    add_mask_options,
    add_people_option,
    exact_people,
    mask_params,
    people_masks,
    truth_item,
)
from edge.analyzer import AlertDraft
from edge.replay import replay
from edge.rules.anchors import AnchorLayer
from edge.rules.clutter import ClutterRule, RegionPixels, RegionState
from edge.synth.truth_people import ClockedRule
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.timefmt import EPOCH


def state_line(t_s: float, state: RegionState) -> str:
    since = "-" if math.isnan(state.since_s) else f"{state.since_s:.1f}"
    items = " ".join(
        f"#{i.id}(since {i.since_s:.1f}, {'reported' if i.alerted else 'waits: ' + (i.waiting or '-')})"
        for i in state.items
    )
    return (
        f"t={t_s:7.1f}  anchored {state.anchored:.2f}  showing {state.showing:.2f}  "
        f"unproven {state.unproven:.2f}  standing {state.standing:.2f}  people {state.people:.2f}  "
        f"since {since:>6}  {items}"
    )


def colour_count(px: RegionPixels, colour: Sequence[float], within: float) -> str:
    """How many of the region's pixels show ``colour`` (within ``within`` on every channel), and how many
    of those lie under people's mask."""
    near = np.abs(px.image - np.asarray(colour, np.float32)).max(axis=2) <= within
    return f"colour {int(near.sum())} of {near.size} px ({int((near & px.people).sum())} under people)"


def alert_line(t_s: float, draft: AlertDraft, origin: datetime = EPOCH) -> str:
    """An alert, its ``since`` in seconds of the stream (``origin``: the stream's start)."""
    since = "?"
    if isinstance(draft.attributes, ClutterAttributes):
        since = f"{(draft.attributes.since - origin).total_seconds():.1f}"
    box = tuple(round(v) for v in draft.bbox) if draft.bbox is not None else None
    return f"t={t_s:7.1f}  ALERT since {since} box {box}"


def _grid(name: str, values: np.ndarray, fmt: str = "{:6.1f}") -> list[str]:
    blank = " " * len(fmt.format(0.0))
    return [f"  {name}:"] + [
        "    " + " ".join(blank[:-1] + "." if np.isnan(v) else fmt.format(v) for v in row) for row in values
    ]


def _layer_code(layer: AnchorLayer, standing: np.ndarray) -> np.ndarray:
    code = np.where(layer.valid, "a", ".")
    return np.where(standing, "S", np.where(layer.unproven, "U", code))


def _colour(value: np.ndarray) -> str:
    return "-" if np.isnan(value).any() else "(" + ",".join(f"{round(float(c)):3d}" for c in value) + ")"


def follow_line(t_s: float, px: RegionPixels, x: int, y: int) -> str | None:
    """One pixel of ``px`` (analysis pixels ``x``, ``y``): its code as in ``pixel_grids``, what it shows,
    and each anchor's colour, date, share of the time in view and whether it is unproven."""
    x0, y0, x1, y1 = px.box
    if not (x0 <= x < x1 and y0 <= y < y1):
        return None
    r, c = y - y0, x - x0
    code = str(_layer_code(px.anchor, px.standing)[r, c]) + ("p" if px.people[r, c] else "-")
    parts = [f"t={t_s:7.1f}  ({x},{y}) {code}  shows {_colour(px.image[r, c])}"]
    for name, layer in (("anchor", px.anchor), ("aside", px.aside)):
        if layer.valid[r, c]:
            parts.append(
                f"{name} {_colour(layer.value[r, c])} since {layer.since[r, c]:.1f} shown "
                f"{layer.shown_s[r, c]:.1f} in view {layer.in_view[r, c]:.2f}"
                + (" unproven" if layer.unproven[r, c] else "")
            )
        else:
            parts.append(f"{name} -")
    return "  ".join(parts)


def pixel_grids(t_s: float, px: RegionPixels) -> str:
    """The rule's state pixel by pixel over an item's box at analysis size. A code per pixel: its anchor
    (S stands, U came up on a person and is unproven, a anchored, . none); * it shows now, else -; p a
    person is over it, else -; A an anchor is put aside, else '.'. Then each anchor's dates and share of
    the time in view."""
    a, aside = px.anchor, px.aside
    codes = _layer_code(a, px.standing)
    for flag, mark, blank in ((px.showing, "*", "-"), (px.people, "p", "-"), (aside.valid, "A", ".")):
        codes = np.char.add(codes, np.where(flag, mark, blank))
    lines = [f"t={t_s:7.1f}  pixels of the box {px.box} (analysis size)", "  code:"]
    lines += ["    " + " ".join(f"{c:>6}" for c in row) for row in codes]
    lines += _grid("since", a.since) + _grid("floor last showed", a.floor_s) + _grid("first shown", a.shown_s)
    lines += _grid("in view (share)", a.in_view, "{:6.2f}")
    if aside.valid.any():
        lines += _grid("aside: since", aside.since) + _grid(
            "aside: in view (share)", aside.in_view, "{:6.2f}"
        )
    return "\n".join(lines)


class ItemTrace:
    """A replay analyser: the rule, plus a line about the item's pixels every ``every`` frames (and their
    grids at the times ``pixels_at``)."""

    def __init__(
        self,
        rule: ClutterRule,
        item: dict[str, Any],
        end_s: float,
        every: int,
        pixels_at: Sequence[float] = (),
        follow: tuple[int, int] | None = None,
        colour: tuple[Sequence[float], float] | None = None,
    ) -> None:
        self.rule, self.item, self.every = rule, item, every
        self.start_s, self.end_s = float(item["placed_s"]) - 1.0, end_s
        self.frames = 0
        self.pixels_at = sorted(pixels_at)
        self.follow = follow
        self.colour = colour

    def process(self, frame: object, t_s: float) -> list[AlertDraft]:
        drafts = self.rule.process(frame, t_s)  # type: ignore[arg-type]
        for draft in drafts:
            print(alert_line(t_s, draft, self.rule.origin), flush=True)
        if self.start_s <= t_s <= self.end_s:
            if self.follow is not None:
                px = self.rule.region_pixels(tuple(self.item["bbox"]), t_s)
                line = None if px is None else follow_line(t_s, px, *self.follow)
                if line is not None:
                    print(line, flush=True)
            elif self.frames % self.every == 0:
                state = self.rule.region(tuple(self.item["bbox"]), t_s)
                if state is not None:
                    line = state_line(t_s, state)
                    if self.colour is not None:
                        px = self.rule.region_pixels(tuple(self.item["bbox"]), t_s)
                        if px is not None:
                            line += "  " + colour_count(px, *self.colour)
                    print(line, flush=True)
            self.frames += 1
        due = False
        while self.pixels_at and t_s >= self.pixels_at[0]:
            self.pixels_at.pop(0)
            due = True
        if due:
            px = self.rule.region_pixels(tuple(self.item["bbox"]), t_s)
            if px is not None:
                print(pixel_grids(t_s, px), flush=True)
        return drafts

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self.rule.finish(t_s)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "truth", type=Path, help="a clip's .truth.json (from clutter_eval.py or synth corridor)"
    )
    parser.add_argument("item", help="the item's id in the truth, e.g. item-3")
    parser.add_argument("--every", type=int, default=3, help="a line every this many analysed frames")
    parser.add_argument(
        "--pixels",
        type=float,
        nargs="+",
        default=[],
        metavar="T",
        help="grids pixel by pixel at these times (s)",
    )
    parser.add_argument(
        "--follow",
        type=int,
        nargs=2,
        default=None,
        metavar=("X", "Y"),
        help="one pixel of the item's box (analysis pixels) frame by frame, instead of the item's lines",
    )
    parser.add_argument(
        "--until",
        type=float,
        default=None,
        metavar="T",
        help="trace to this time (s), not to the removal: what its spot does after it was taken away",
    )
    parser.add_argument(
        "--colour",
        type=float,
        nargs=3,
        default=None,
        metavar=("R", "G", "B"),
        help="count the box's pixels of this colour in the analysed image on each line",
    )
    parser.add_argument("--within", type=float, default=20.0, help="--colour: levels per channel")
    add_people_option(parser)
    add_mask_options(parser)
    args = parser.parse_args()
    truth, item = truth_item(parser, args.truth, args.item)
    camera = load_model(CameraConfig, args.truth.parent / truth["camera"])
    people, shapes = people_masks(args.people, args.silhouettes)
    exact = exact_people(args.people, clips=3)  # --people truth: clutter_eval's sets of three
    known = exact(args.truth) if exact is not None else None
    if known is not None:
        people, shapes = known, known
    rule = ClutterRule.from_camera(camera, people=people, silhouettes=shapes, params=mask_params(args))
    end_s = item["removed_s"] if item["removed_s"] is not None else float(truth["duration_s"])
    until_s = end_s if args.until is None else args.until
    print(
        f"{args.item}: placed {item['placed_s']:.2f} s, taken away {end_s:.2f} s, box {item['bbox']}, "
        f"observable {item.get('observable')}"
    )
    trace = ItemTrace(
        rule,
        item,
        until_s,
        max(1, args.every),
        args.pixels,
        args.follow,
        None if args.colour is None else (args.colour, args.within),
    )
    replay(Path(camera.source), [trace if known is None else ClockedRule(trace, known)], camera.fps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
