"""Precision and recall of ``corridor_clutter`` on synthetic corridor clips with ground truth.

    python benchmarks/clutter_eval.py --out /tmp/corridor-eval --seed 7 --clips 6

Generates the clips (``edge.synth.corridor``) unless they exist, replays each through ``ClutterRule`` at
the camera's fps (as ``sharpeyes edge scan`` does), and matches alerts to items: an alert is a true
positive when its box overlaps an item that stayed >= dwell_s and its ``since`` is within 3 s of the
item's placement; each item can be matched once (a second alert for it is a false positive). Prints a
table per clip and overall, and saves a PNG of the ``since`` errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from edge.replay import replay
from edge.rules.clutter import ClutterRule
from edge.synth.corridor import write_corridor_set
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract.alert import ClutterAttributes
from sharpeyes.timefmt import EPOCH

SINCE_TOLERANCE_S = 3.0


@dataclass
class ClipScore:
    clip: str
    expected: int
    alerts: int
    tp: int
    fp: int
    fn: int
    since_errors: list[float]
    fps: float


def overlaps(a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def score_clip(truth_path: Path) -> ClipScore:
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    camera = load_model(CameraConfig, truth_path.parent / truth["camera"])
    rule = ClutterRule.from_camera(camera)
    result = replay(Path(camera.source), [rule], camera.fps)
    expected = [item for item in truth["items"] if item["expect_alert"]]
    matched: set[str] = set()
    tp = fp = 0
    errors = []
    for draft in result.drafts:
        assert isinstance(draft.attributes, ClutterAttributes) and draft.bbox is not None
        since_s = (draft.attributes.since - EPOCH).total_seconds()
        hit = None
        for item in expected:
            if item["id"] in matched or not overlaps(draft.bbox, item["bbox"]):
                continue
            if abs(since_s - item["placed_s"]) <= SINCE_TOLERANCE_S:
                hit = item
                break
        if hit is None:
            fp += 1
            print(f"  FP {truth_path.stem}: t={draft.t_s:.1f} since={since_s:.1f} bbox={draft.bbox}")
            continue
        matched.add(hit["id"])
        tp += 1
        errors.append(since_s - hit["placed_s"])
    for item in expected:
        if item["id"] not in matched:
            print(f"  FN {truth_path.stem}: {item['id']} placed={item['placed_s']} bbox={item['bbox']}")
    return ClipScore(
        clip=truth_path.stem.removesuffix(".truth"),
        expected=len(expected),
        alerts=len(result.drafts),
        tp=tp,
        fp=fp,
        fn=len(expected) - tp,
        since_errors=errors,
        fps=result.frames_analysed / result.wall_s if result.wall_s else 0.0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("build/corridor-eval"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--duration", type=float, default=150.0)
    parser.add_argument("--dwell", type=float, default=20.0)
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/clutter_eval.png"))
    args = parser.parse_args()

    truths = sorted(args.out.glob(f"corridor-{args.seed}-*.truth.json"))
    if len(truths) < args.clips:
        started = time.monotonic()

        def progress(name: str, fraction: float) -> None:
            print(f"\r  rendering {name}: {fraction:5.0%}", end="", file=sys.stderr, flush=True)

        truths = write_corridor_set(args.out, args.seed, args.clips, args.duration, args.dwell, progress)
        print(
            f"\rgenerated {len(truths)} clips in {time.monotonic() - started:.0f}s into {args.out}",
            file=sys.stderr,
        )

    scores = []
    for truth_path in truths[: args.clips]:
        scores.append(score_clip(truth_path))
    print()
    print(
        f"{'clip':<22}{'expected':>9}{'alerts':>8}{'TP':>5}{'FP':>5}{'FN':>5}{'max|since err| s':>18}"
        f"{'fps':>7}"
    )
    for s in scores:
        worst = max((abs(e) for e in s.since_errors), default=0.0)
        print(
            f"{s.clip:<22}{s.expected:>9}{s.alerts:>8}{s.tp:>5}{s.fp:>5}{s.fn:>5}{worst:>18.2f}{s.fps:>7.0f}"
        )
    tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    errors = [e for s in scores for e in s.since_errors]
    median_err = sorted(abs(e) for e in errors)[len(errors) // 2] if errors else 0.0
    print(
        f"\nprecision {precision:.3f}  recall {recall:.3f}  (TP {tp}, FP {fp}, FN {fn}); "
        f"median |since error| {median_err:.2f}s, tolerance {SINCE_TOLERANCE_S}s"
    )

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(errors, bins=20, color="tab:blue")
    ax.axvline(-SINCE_TOLERANCE_S, color="red", linestyle="--")
    ax.axvline(SINCE_TOLERANCE_S, color="red", linestyle="--")
    ax.set_xlabel("alert since − true placement (s)")
    ax.set_ylabel("items")
    ax.set_title(f"corridor_clutter: P={precision:.2f} R={recall:.2f} on {len(scores)} clips")
    fig.tight_layout()
    args.plot.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.plot, dpi=100)
    print(f"plot: {args.plot}")
    return 0 if fp == 0 and fn == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
