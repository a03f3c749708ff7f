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
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # trace this checkout, not an installed one

from benchmarks.clutter_eval import add_people_option, people_finder, people_shapes
from edge.analyzer import AlertDraft
from edge.replay import replay
from edge.rules.clutter import ClutterRule, RegionState
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


def alert_line(t_s: float, draft: AlertDraft, origin: datetime = EPOCH) -> str:
    """An alert, its ``since`` in seconds of the stream (``origin``: the stream's start)."""
    since = "?"
    if isinstance(draft.attributes, ClutterAttributes):
        since = f"{(draft.attributes.since - origin).total_seconds():.1f}"
    box = tuple(round(v) for v in draft.bbox) if draft.bbox is not None else None
    return f"t={t_s:7.1f}  ALERT since {since} box {box}"


class ItemTrace:
    """A replay analyser: the rule, plus a line about the item's pixels every ``every`` frames."""

    def __init__(self, rule: ClutterRule, item: dict[str, Any], end_s: float, every: int) -> None:
        self.rule, self.item, self.every = rule, item, every
        self.start_s, self.end_s = float(item["placed_s"]) - 1.0, end_s
        self.frames = 0

    def process(self, frame: object, t_s: float) -> list[AlertDraft]:
        drafts = self.rule.process(frame, t_s)  # type: ignore[arg-type]
        for draft in drafts:
            print(alert_line(t_s, draft, self.rule.origin), flush=True)
        if self.start_s <= t_s <= self.end_s:
            if self.frames % self.every == 0:
                state = self.rule.region(tuple(self.item["bbox"]), t_s)
                if state is not None:
                    print(state_line(t_s, state), flush=True)
            self.frames += 1
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
    add_people_option(parser)
    args = parser.parse_args()
    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    items = {item["id"]: item for item in truth["items"]}
    if args.item not in items:
        parser.error(f"{args.truth} has no {args.item!r} (it has {', '.join(sorted(items))})")
    item = items[args.item]
    camera = load_model(CameraConfig, args.truth.parent / truth["camera"])
    people = people_finder(args.people)
    shapes = people_shapes(args.silhouettes) if people is not None else None
    rule = ClutterRule.from_camera(camera, people=people, silhouettes=shapes)
    end_s = item["removed_s"] if item["removed_s"] is not None else float(truth["duration_s"])
    print(
        f"{args.item}: placed {item['placed_s']:.2f} s, taken away {end_s:.2f} s, box {item['bbox']}, "
        f"observable {item.get('observable')}"
    )
    replay(Path(camera.source), [ItemTrace(rule, item, end_s, max(1, args.every))], camera.fps)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
