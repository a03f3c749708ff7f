"""What the clutter rule's people mask covers at analysis size: people, and the floor right beside them.

    python benchmarks/silhouette_edges.py                     # seed 9 (not a training seed), every 4 s
    python benchmarks/silhouette_edges.py --seed 222 --clip 1 --grow-chance 0.1
    python benchmarks/silhouette_edges.py --silhouettes build/silh-v2/person-silhouette.yaml  # a candidate

Renders frames of a generated corridor scene, finds people with the shipped detector, and masks them
four ways at the rule's analysis width:

- grown everywhere (``silhouette_layers`` without ``grow_chance``, the rule's mask up to session 25): the
  silhouette model's pixels (each crop thresholded, then sampled to its window), grown by ``grow_px``
  into every pixel;
- not grown: the same without the grow;
- grown where unsure (the rule's mask since session 26, ``PeopleParams.grow_chance``): each crop's
  chances brought to its window by area (a pixel half person reads 0.5), thresholded, and grown by
  ``grow_px`` only into pixels whose chance is above ``--grow-chance``;
- surely a person: pixels whose chance (brought to the window by area) is above ``--sure-chance``, not
  grown: what the look-back skips (``AnchorParams.lookback_skips_people``, on since session 32).

Per frame and in median, against the renderer's own drawing of people brought to analysis size (a pixel
is a person's when at least half of it is):

- kept: share of person pixels masked (a person left unmasked stands as an item);
- beside: share of the floor inside people's boxes that touches a person pixel (beside and between their
  legs, where something at their feet shows) that is masked;
- between: the same for floor pixels with person pixels both left and right of them within two pixels (gaps
  between legs).

The rule blurs its analysis image (3x3) before it compares it with the empty corridor, so a floor pixel
beside someone carries part of their colour: what "beside" leaves open is what can stand as an item at
a standing person's edge. ``--plot`` saves the medians as bars (default
``benchmarks/plots/silhouette-edges.png``).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST
from edge.detect import Detector, SessionPool
from edge.detect.silhouette import PersonSilhouettes
from edge.rules.clutter import ClutterParams
from edge.rules.people import DetectedPeople, people_mask, silhouette_layers
from edge.synth.corridor import corridor_renderer
from edge.zonemask import analysis_size


@dataclass(frozen=True)
class EdgeShares:
    t_s: float
    kept: float
    beside: float
    between: float


def between_legs(person: np.ndarray, reach: int = 2) -> np.ndarray:
    """Pixels with a person pixel within ``reach`` to their left and to their right (on the same row)."""
    left = np.zeros_like(person)
    right = np.zeros_like(person)
    for d in range(1, reach + 1):
        left[:, d:] |= person[:, :-d]
        right[:, :-d] |= person[:, d:]
    return left & right & ~person


def shares(
    person: np.ndarray, floor: np.ndarray, gap: np.ndarray, mask: np.ndarray, t_s: float
) -> EdgeShares:
    return EdgeShares(
        t_s,
        float(mask[person].mean()),
        float(mask[floor].mean()),
        float(mask[gap].mean()) if gap.any() else float("nan"),
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--clip", type=int, default=0)
    parser.add_argument("--every", type=float, default=4.0, help="seconds between frames")
    parser.add_argument(
        "--grow-chance",
        type=float,
        default=ClutterParams().people.grow_chance,
        help="grown where unsure: into pixels above this chance (default: the rule's, %(default)s)",
    )
    parser.add_argument(
        "--sure-chance",
        type=float,
        default=ClutterParams().people.sure_chance,
        help="surely a person: above this chance (default: the rule's, %(default)s)",
    )
    parser.add_argument(
        "--silhouettes",
        type=Path,
        default=DEFAULT_SILHOUETTE_MANIFEST,
        help="manifest of the silhouette model to measure (default: the shipped one)",
    )
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/plots/silhouette-edges.png"))
    args = parser.parse_args()
    pool = SessionPool()
    shapes = PersonSilhouettes.from_manifest(args.silhouettes, pool)
    finder = DetectedPeople(Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, pool))
    renderer = corridor_renderer(args.seed, args.clip)
    scene = renderer.scene
    params = ClutterParams().people
    masks = ("grown everywhere", "not grown", "grown where unsure", "surely a person")
    rows: dict[str, list[EdgeShares]] = {name: [] for name in masks}
    print(
        f"seed {args.seed} clip {args.clip}: {shapes.manifest.name} {shapes.manifest.version} "
        f"({'x'.join(map(str, shapes.manifest.input_size))}); grow_px {params.grow_px}; grown where "
        f"unsure: the chance is above {args.grow_chance}; surely a person: above {args.sure_chance}"
    )
    print(f"{'t s':>6}  {'kept':>20}  {'beside':>20}  {'between':>20}   ({' / '.join(masks)})")
    for t in np.arange(args.every, scene.duration_s, args.every):
        frame = renderer.frame(float(t))
        boxes = finder.boxes(frame)
        sw, sh, scale = analysis_size(frame.shape[1], frame.shape[0], ClutterParams().width)
        drawn = renderer.people(float(t)).astype(np.float32)
        share = cv2.resize(drawn, (sw, sh), interpolation=cv2.INTER_AREA)
        boxed = people_mask(boxes, (sh, sw), scale, 0.0)
        person = boxed & (share >= 0.5)
        near = cv2.dilate((share > 0).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        floor = boxed & (share == 0) & near
        if person.sum() < 50 or floor.sum() < 20:
            continue
        gap = floor & between_legs(share > 0)
        layers = silhouette_layers(
            shapes, frame, boxes, (sh, sw), scale, params.grow_px, args.grow_chance, args.sure_chance
        )
        unsure, sure = layers.mask, layers.sure
        found = [
            silhouette_layers(shapes, frame, boxes, (sh, sw), scale, params.grow_px).mask,
            silhouette_layers(shapes, frame, boxes, (sh, sw), scale, 0).mask,
            unsure,
            sure,
        ]
        measured = [shares(person, floor, gap, mask, float(t)) for mask in found]
        for name, m in zip(masks, measured, strict=True):
            rows[name].append(m)
        cells = ["/".join(f"{getattr(m, k):.2f}" for m in measured) for k in ("kept", "beside", "between")]
        print(f"{t:6.1f}  {cells[0]:>20}  {cells[1]:>20}  {cells[2]:>20}")
    if not rows[masks[0]]:
        print("no frame with people in it")
        return 1
    print(f"\nmedians over {len(rows[masks[0]])} frames:")
    medians = {}
    for name, found in rows.items():
        medians[name] = [
            float(np.nanmedian([getattr(s, k) for s in found])) for k in ("kept", "beside", "between")
        ]
        kept, beside, between = medians[name]
        print(f"  {name:<20} kept {kept:.3f}  beside {beside:.3f}  between {between:.3f}")
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    x = np.arange(3)
    for k, (name, values) in enumerate(medians.items()):
        ax.bar(x + (k - 1.5) * 0.2, values, 0.2, label=name)
    ax.set_xticks(x, ["person pixels", "floor beside them", "floor between legs"])
    ax.set_ylabel("share masked (median frame)")
    ax.set_ylim(0, 1.05)
    ax.set_title(
        f"people masks at analysis size ({shapes.manifest.version}), "
        f"corridor seed {args.seed} clip {args.clip}"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize="small")
    fig.tight_layout()
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=100)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
