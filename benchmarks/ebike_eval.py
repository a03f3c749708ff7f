"""``ebike_indoor`` end to end on generated lift clips: one alert per e-bike entry, none for anything else.

    python benchmarks/ebike_eval.py                      # 8 fresh clips (seeds 9001..), 3 episodes each
    python benchmarks/ebike_eval.py --quick              # 2 short clips at 5 fps video
    python benchmarks/ebike_eval.py --model PATH.yaml    # another manifest (default: the shipped model,
                                                         # or $SHARPEYES_INDOOR_MODEL when set)

Generates the clips (``edge.synth.elevator``: doors open, an e-bike / bicycle / stroller pushed in, people
or parcels, stay, leave) unless they exist, runs ``edge.scan.scan_video`` on each (the code path of
``sharpeyes edge scan --model``), and scores per episode: an e-bike episode must give exactly one alert
(a second one is a duplicate), every other episode none. The delay is the alert's time minus the moment
the e-bike's visible box first stood in the car-floor zone (the truth's ``enter_s``); the target is at most
1 s at 5 analysed fps. Prints a table per clip and totals, saves a PNG and a JSON summary.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, CameraAnalyzer
from edge.scan import iter_emitted, scan_video
from edge.synth.elevator import write_elevator_set
from edge.synth.truth_detector import TruthEbikeRule
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract import ModelInfo, decode_alert
from sharpeyes.timefmt import EPOCH

DELAY_TARGET_S = 1.0
QUICK_KINDS = [["ebike", "bicycle"], ["stroller", "ebike"]]
# every clip has an e-bike, and bicycles and strollers (what must not alert) as often; the rest of each
# clip (car, camera, people, colours, timing, light) comes from its seed
EVAL_KINDS = [
    ["ebike", "bicycle", "stroller"],
    ["bicycle", "ebike", "people"],
    ["ebike", "stroller", "parcels"],
    ["stroller", "ebike", "bicycle"],
]


@dataclass
class ClipScore:
    clip: str
    kinds: list[str]
    ebike_entries: int = 0
    matched: int = 0
    missed: int = 0
    duplicates: int = 0
    false_by_kind: dict[str, int] = field(default_factory=dict)
    outside_episodes: int = 0
    delays: list[float] = field(default_factory=list)
    frames: int = 0
    scan_s: float = 0.0

    @property
    def false_alerts(self) -> int:
        return sum(self.false_by_kind.values()) + self.outside_episodes


def score_clip(truth: dict, alert_times: list[float], name: str) -> ClipScore:
    """Assign each alert to the episode whose time window holds it, then count per episode."""
    score = ClipScore(name, [e["kind"] for e in truth["episodes"]])
    claimed = [False] * len(alert_times)
    for episode in truth["episodes"]:
        inside = [i for i, t in enumerate(alert_times) if episode["start_s"] <= t <= episode["end_s"]]
        for i in inside:
            claimed[i] = True
        if episode["kind"] == "ebike":
            lead = next(e for e in episode["entries"] if e["class"] == "ebike")
            score.ebike_entries += 1
            if not inside:
                score.missed += 1
                continue
            score.matched += 1
            score.duplicates += len(inside) - 1
            if lead["enter_s"] is not None:
                score.delays.append(round(alert_times[inside[0]] - lead["enter_s"], 2))
        elif inside:
            score.false_by_kind[episode["kind"]] = score.false_by_kind.get(episode["kind"], 0) + len(inside)
    score.outside_episodes = claimed.count(False)
    return score


def ideal_clip(video: Path, camera_path: Path, truth: dict) -> list[float]:
    """The same rule and sampling on the renderer's own boxes: the baseline a perfect detector sets."""
    camera = load_model(CameraConfig, camera_path)
    ideal = CameraAnalyzer(
        "ebike_indoor", TruthEbikeRule(camera, truth), ModelInfo(name="truth", version="1", sha256="0" * 64)
    )
    return sorted(e.at_s for e in iter_emitted(video, [ideal], camera.fps))


def scan_clip(video: Path, camera_path: Path, model: Path) -> tuple[list[float], int, float]:
    camera = load_model(CameraConfig, camera_path)
    buffer = io.BytesIO()
    started = time.monotonic()
    summary = scan_video(video, camera, buffer, EPOCH, model=model)
    elapsed = time.monotonic() - started
    times = [(decode_alert(line).ts - EPOCH).total_seconds() for line in buffer.getvalue().splitlines()]
    return sorted(times), summary.frames_read, elapsed


def _clips(out: Path, seeds: list[int], quick: bool, fps: float) -> list[tuple[Path, Path, Path]]:
    found = []
    for k, seed in enumerate(seeds):
        truth = out / f"elevator-{seed}-0.truth.json"
        if not truth.is_file():
            print(f"rendering lift clip seed {seed} ...", file=sys.stderr, flush=True)
            kinds = (QUICK_KINDS if quick else EVAL_KINDS)[k % (2 if quick else len(EVAL_KINDS))]
            write_elevator_set(out, seed, clips=1, kinds=kinds, fps=fps)
        video = next(
            p
            for p in out.iterdir()
            if p.name.startswith(f"elevator-{seed}-0.") and p.suffix in (".mp4", ".avi")
        )
        found.append((video, out / f"elevator-{seed}-0.camera.yaml", truth))
    return found


def _percent(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "-"


def report(scores: list[ClipScore]) -> dict:
    head = f"{'clip':<18} {'episodes':<28} {'ebike':>5} {'match':>5} {'miss':>4} {'dup':>3} {'false':>5}"
    print(f"\n{head}  delays (s)")
    for s in scores:
        print(
            f"{s.clip:<18} {','.join(s.kinds):<28} {s.ebike_entries:>5} {s.matched:>5} {s.missed:>4} "
            f"{s.duplicates:>3} {s.false_alerts:>5}  {' '.join(f'{d:.1f}' for d in s.delays)}"
        )
    delays = [d for s in scores for d in s.delays]
    entries = sum(s.ebike_entries for s in scores)
    matched = sum(s.matched for s in scores)
    false_by_kind: dict[str, int] = {}
    for s in scores:
        for k, n in s.false_by_kind.items():
            false_by_kind[k] = false_by_kind.get(k, 0) + n
    episodes_by_kind: dict[str, int] = {}
    for s in scores:
        for k in s.kinds:
            episodes_by_kind[k] = episodes_by_kind.get(k, 0) + 1
    frames = sum(s.frames for s in scores)
    scan_s = sum(s.scan_s for s in scores)
    total = {
        "clips": len(scores),
        "ebike_entries": entries,
        "alerts_matched": matched,
        "recall": round(matched / entries, 3) if entries else None,
        "duplicates": sum(s.duplicates for s in scores),
        "false_alerts_by_kind": false_by_kind,
        "episodes_by_kind": episodes_by_kind,
        "alerts_outside_episodes": sum(s.outside_episodes for s in scores),
        "delay_median_s": round(statistics.median(delays), 2) if delays else None,
        "delay_max_s": round(max(delays), 2) if delays else None,
        "within_target": sum(1 for d in delays if d <= DELAY_TARGET_S),
        "video_frames": frames,
        "scan_fps": round(frames / scan_s, 1) if scan_s else None,
    }
    print(
        f"\ntotal: {matched}/{entries} e-bike entries alerted ({_percent(matched, entries)}), "
        f"{total['duplicates']} duplicate(s); false alerts: "
        + ", ".join(
            f"{k} {false_by_kind.get(k, 0)}/{n} episodes"
            for k, n in sorted(episodes_by_kind.items())
            if k != "ebike"
        )
        + f", outside episodes {total['alerts_outside_episodes']}"
    )
    if delays:
        print(
            f"delay after entry: median {total['delay_median_s']:.2f} s, max {total['delay_max_s']:.2f} s, "
            f"{total['within_target']}/{len(delays)} within {DELAY_TARGET_S:.0f} s"
        )
    print(f"scan: {frames} video frames in {scan_s:.1f} s ({total['scan_fps']} video fps incl. decoding)")
    return total


def plot(scores: list[ClipScore], ideal: list[ClipScore], total: dict, path: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    longest = max([4.0, *(d for s in scores for d in s.delays)])
    bins = [x / 5 for x in range(-5, int(longest * 5) + 3)]
    left.hist([d for s in ideal for d in s.delays], bins=bins, color="#bbb", label="perfect detector")
    left.hist([d for s in scores for d in s.delays], bins=bins, color="#3a7", alpha=0.8, label="model")
    left.axvline(DELAY_TARGET_S, color="r", ls="--", label="target 1 s")
    left.set_xlabel("alert delay after the e-bike enters the car floor (s)")
    left.set_ylabel("e-bike entries")
    left.legend()
    kinds = sorted(total["episodes_by_kind"])
    alerts = [
        total["alerts_matched"] + total["duplicates"]
        if k == "ebike"
        else total["false_alerts_by_kind"].get(k, 0)
        for k in kinds
    ]
    right.bar(kinds, [total["episodes_by_kind"][k] for k in kinds], color="#ccc", label="episodes")
    right.bar(kinds, alerts, width=0.5, color="#c53", label="ebike_indoor alerts")
    right.set_title("alerts per episode kind (only ebike should alert, once)")
    right.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    print(f"plot → {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_model = Path(os.environ.get("SHARPEYES_INDOOR_MODEL", str(DEFAULT_INDOOR_MANIFEST)))
    ap.add_argument("--model", type=Path, default=default_model, help=f"manifest (default {default_model})")
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument(
        "--video-fps", type=float, default=5.0, help="frames per second of the clips (the camera analyses 5)"
    )
    ap.add_argument("--first-seed", type=int, default=9001, help="fresh seeds, never used in training")
    ap.add_argument("--out", type=Path, default=Path("build/ebike-eval"), help="clip directory")
    ap.add_argument(
        "--quick", action="store_true", help="2 short clips (an e-bike and a bicycle or stroller each)"
    )
    ap.add_argument("--plot", type=Path, default=Path("benchmarks/plots/ebike_eval.png"))
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/ebike_eval.json"))
    ap.add_argument("--render-only", action="store_true", help="write the clips, scan nothing")
    args = ap.parse_args()
    if args.render_only:
        out = args.out / ("quick" if args.quick else "full")
        _clips(
            out,
            [args.first_seed + k for k in range(2 if args.quick else args.clips)],
            args.quick,
            args.video_fps,
        )
        return
    if not args.model.is_file():
        sys.exit(f"no model manifest at {args.model}: pass --model or set SHARPEYES_INDOOR_MODEL")
    out = args.out / ("quick" if args.quick else "full")
    out.mkdir(parents=True, exist_ok=True)
    seeds = [args.first_seed + k for k in range(2 if args.quick else args.clips)]
    print(f"model {args.model}; clips in {out}", file=sys.stderr)
    scores, ideal_scores = [], []
    for video, camera, truth_path in _clips(out, seeds, args.quick, args.video_fps):
        truth = json.loads(truth_path.read_text())
        times, frames, elapsed = scan_clip(video, camera, args.model)
        score = score_clip(truth, times, video.stem)
        score.frames, score.scan_s = frames, elapsed
        scores.append(score)
        ideal_scores.append(score_clip(truth, ideal_clip(video, camera, truth), video.stem))
        found = [round(t, 1) for t in times]
        print(f"scanned {video.name}: {len(times)} alert(s) at {found}", file=sys.stderr)
    print("\n== baseline: the same rule on the renderer's own boxes (a perfect detector) ==")
    ideal = report(ideal_scores)
    print(f"\n== model {args.model} ==")
    total = report(scores)
    if total["delay_median_s"] is not None and ideal["delay_median_s"]:
        print(
            f"median delay: model {total['delay_median_s']:.2f} s vs perfect detector "
            f"{ideal['delay_median_s']:.2f} s (x{total['delay_median_s'] / ideal['delay_median_s']:.2f})"
        )
    plot(scores, ideal_scores, total, args.plot)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "model": str(args.model),
        "total": total,
        "baseline_truth_boxes": ideal,
        "clips": [asdict(s) for s in scores],
    }
    args.json.write_text(json.dumps(doc, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
