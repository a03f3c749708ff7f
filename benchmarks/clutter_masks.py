"""How much of an item the clutter rule masks as people, against how much people really hide of it.

    python benchmarks/clutter_masks.py build/fresh23/corridor-234-1.truth.json item-1

Replays a generated corridor clip as ``clutter_eval.py`` does and, for every analysed frame from the
item's placement until it was taken away, compares two shares of the item's own pixels: those people
really stand in front of (the generator's drawing, ``CorridorRenderer.people``) and those the rule masks
as people (the person detector's boxes, held while people stand still, and the silhouette model's
outlines). Prints them per 5 s and, over the frames in which a quarter of the item or more was really in
view (what the truth calls seen), how often the rule masked nearly all of it. An item the rule masks
whole while part of it shows cannot be dated or seen to stay by what shows.

``--snap T ...`` saves, side by side, the frames at those times around the item, 3x: what the rule masks
as people in red, the outline of what people really show in green, the item's outline in cyan
(``--image``, default ``benchmarks/plots/clutter-masks-CLIP-ITEM.png``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

from benchmarks.clutter_eval import add_people_option, people_finder, people_shapes, truth_item
from edge.analyzer import AlertDraft
from edge.replay import replay
from edge.rules.clutter import ClutterRule
from edge.synth.corridor import clip_renderer
from edge.synth.corridor_draw import item_pixels
from edge.synth.corridor_truth import SEEN_SHARE
from edge.zonemask import analysis_size
from sharpeyes.config import CameraConfig, load_model

NEARLY_ALL = 0.9  # masked this much of the item: what shows of it is too little to go by


@dataclass(frozen=True)
class Cover:
    t_s: float
    really: float  # share of the item's pixels people stand in front of (the generator's drawing)
    masked: float  # share the rule masks as people


class MaskProbe:
    """A replay analyser: the rule, and each frame's ``Cover`` of one item (its ``own`` pixels, frame size)
    from ``span[0]`` to ``span[1]``. ``people_at(t)``: the pixels people really show in that frame."""

    def __init__(
        self,
        rule: ClutterRule,
        people_at: Callable[[float], np.ndarray],
        own: np.ndarray,
        span: tuple[float, float],
        snap_at: Sequence[float] = (),
    ) -> None:
        self.rule, self.people_at, self.own, self.span = rule, people_at, own, span
        self.snap_at = sorted(snap_at)
        self.shots: list[np.ndarray] = []
        sw, sh, _ = analysis_size(own.shape[1], own.shape[0], rule.params.width)
        self.small = cv2.resize(own.astype(np.float32), (sw, sh), interpolation=cv2.INTER_AREA) > 0.5
        ys, xs = np.nonzero(own)
        self.bbox = (float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))
        self.covers: list[Cover] = []

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        drafts = self.rule.process(frame, t_s)
        if self.span[0] <= t_s <= self.span[1]:
            px = self.rule.region_pixels(self.bbox, t_s)
            if px is not None:
                x0, y0, x1, y1 = px.box
                mine = self.small[y0:y1, x0:x1]
                really = float((self.people_at(t_s) & self.own).sum()) / max(1, int(self.own.sum()))
                masked = float(px.people[mine].mean()) if mine.any() else float("nan")
                self.covers.append(Cover(t_s, really, masked))
        if self.snap_at and t_s >= self.snap_at[0]:
            self.snap_at.pop(0)
            shot = self._shot(frame, t_s)
            if shot is not None:
                self.shots.append(shot)
        return drafts

    def _shot(self, frame: np.ndarray, t_s: float, margin: float = 50.0, zoom: int = 3) -> np.ndarray | None:
        """The frame around the item: the rule's people mask in red, people's and the item's outlines."""
        x0, y0, x1, y1 = self.bbox
        px = self.rule.region_pixels((x0 - margin, y0 - margin, x1 + margin, y1 + margin), t_s)
        if px is None:
            return None
        s = self.small.shape[1] / self.own.shape[1]  # analysis pixels per frame pixel
        fx0, fy0 = round(px.box[0] / s), round(px.box[1] / s)
        fx1, fy1 = round(px.box[2] / s), round(px.box[3] / s)
        crop = frame[fy0:fy1, fx0:fx1].copy()
        size = (crop.shape[1], crop.shape[0])
        masked = cv2.resize(px.people.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        tinted = crop.copy()
        tinted[masked] = (0, 0, 255)
        crop = cv2.addWeighted(crop, 0.6, tinted, 0.4, 0)
        for mask, colour in ((self.people_at(t_s), (0, 255, 0)), (self.own, (255, 255, 0))):
            edge = cv2.Canny(mask[fy0:fy1, fx0:fx1].astype(np.uint8) * 255, 50, 150) > 0
            crop[edge] = colour
        crop = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
        cv2.putText(crop, f"t={t_s:.1f}s", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (255, 255, 255), 2)
        return crop

    def finish(self, t_s: float) -> list[AlertDraft]:
        return self.rule.finish(t_s)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("truth", type=Path, help="a generated clip's .truth.json (corridor-SEED-K)")
    parser.add_argument("item", help="the item's id in the truth, e.g. item-1")
    parser.add_argument("--snap", type=float, nargs="+", default=[], metavar="T", help="frames to save (s)")
    parser.add_argument("--image", type=Path, default=None, help="where --snap saves its PNG")
    add_people_option(parser)
    args = parser.parse_args()
    truth, item = truth_item(parser, args.truth, args.item)
    try:
        renderer = clip_renderer(args.truth)
    except ValueError as error:
        parser.error(f"{error}: cannot draw its scene")
    own = item_pixels(next(item for item in renderer.scene.items if item.id == args.item))
    camera = load_model(CameraConfig, args.truth.parent / truth["camera"])
    people = people_finder(args.people)
    if people is None:
        parser.error("--people none: the rule masks nobody, there is nothing to compare")
    rule = ClutterRule.from_camera(camera, people=people, silhouettes=people_shapes(args.silhouettes))
    end_s = item["removed_s"] if item["removed_s"] is not None else float(truth["duration_s"])
    probe = MaskProbe(rule, renderer.people, own, (float(item["placed_s"]), end_s), args.snap)
    replay(Path(camera.source), [probe], camera.fps)
    if probe.shots:
        clip = args.truth.name.removesuffix(".truth.json")
        image = args.image or Path(f"benchmarks/plots/clutter-masks-{clip}-{args.item}.png")
        image.parent.mkdir(parents=True, exist_ok=True)
        height = min(shot.shape[0] for shot in probe.shots)
        strip = np.hstack([shot[:height] for shot in probe.shots])
        cv2.imwrite(str(image), strip, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        print(f"image: {image}")
    covers = probe.covers
    print(f"{args.truth.name} {args.item}: placed {item['placed_s']:.2f} s, taken away {end_s:.2f} s")
    print(f"{'seconds':>10}{'really hidden':>15}{'masked':>8}")
    start = 5 * int(covers[0].t_s // 5) if covers else 0
    for lo in range(start, int(end_s) + 1, 5):
        part = [c for c in covers if lo <= c.t_s < lo + 5]
        if part:
            really = float(np.mean([c.really for c in part]))
            masked = float(np.nanmean([c.masked for c in part]))
            print(f"{lo:>5}-{lo + 5:<4}{really:>15.2f}{masked:>8.2f}")
    seen = [c for c in covers if c.really <= 1.0 - SEEN_SHARE]
    masked_whole = sum(c.masked >= NEARLY_ALL for c in seen)
    print(
        f"frames with {SEEN_SHARE:.0%} of it or more really in view: {len(seen)} of {len(covers)}; the rule "
        f"masked {NEARLY_ALL:.0%} of it or more in {masked_whole} of them"
        + (
            f" (there, really hidden {np.mean([c.really for c in seen]):.2f}, "
            f"masked {np.nanmean([c.masked for c in seen]):.2f} on average)"
            if seen
            else ""
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
