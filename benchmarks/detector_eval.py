"""The reference indoor detector on held-out generated scenes: mAP@0.5 per class through the edge runtime,
and CPU latency per frame at 320, 512 (shipped) and 640 input, onnxruntime vs OpenCV DNN on the same ONNX
and frames.

    python benchmarks/detector_eval.py --data /work/data/heldout-lift-s90 /work/data/heldout-corridor-s91
    python benchmarks/detector_eval.py --data DIR --quick        # 60 images, 20 latency rounds, < 1 min
    python benchmarks/detector_eval.py --data /work/data/indoor-train --split val --rounds 0 \
        --manifest models/indoor/indoor-det-320.yaml              # one export on the training set's val split

No torch: the shipped ONNX runs through ``edge.detect.Detector`` (letterbox, decode, per-class NMS) with the
confidence floor lowered to 0.001 so AP sees the whole precision-recall curve; precision and recall at the
manifest's own thresholds are reported too, since those are what the rules see. Latency is the model run
alone (same letterboxed blob to both runtimes, 2 threads each), after warm-up; median and p90 over frames.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

import cv2
import matplotlib
import numpy as np
import yaml

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.detection_ap import average_precision, best_f1_threshold, match
from edge.analyzers import DEFAULT_INDOOR_MANIFEST
from edge.detect.letterbox import letterbox
from edge.detect.manifest import load_manifest
from edge.detect.runtime import Detector, SessionPool

ROOT = Path(__file__).resolve().parents[1]
OTHER_SIZES = [ROOT / "models/indoor/indoor-det-320.yaml", ROOT / "models/indoor/indoor-det-640.yaml"]
THREADS = 2


@dataclass(frozen=True)
class Labelled:
    image: Path
    boxes: np.ndarray  # (M, 4) xyxy pixels
    classes: np.ndarray  # (M,)


def read_image(path: Path) -> np.ndarray:
    frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if frame is None:
        raise SystemExit(f"cannot read {path}")
    return frame


def read_set(root: Path, limit: int | None, split: str = "*") -> list[Labelled]:
    """The labelled images of a YOLO-layout set: all splits of a held-out set (none of it was trained on),
    or one split (``val`` of the training set, for tuning thresholds)."""
    images = sorted((root / "images").glob(f"{split}/*.jpg"))[:limit]
    out = []
    for path in images:
        h, w = read_image(path).shape[:2]
        label = root / "labels" / path.parent.name / f"{path.stem}.txt"
        rows = np.loadtxt(label, ndmin=2) if label.is_file() and label.stat().st_size else np.zeros((0, 5))
        cx, cy, bw, bh = rows[:, 1] * w, rows[:, 2] * h, rows[:, 3] * w, rows[:, 4] * h
        xyxy = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1)
        out.append(Labelled(path, xyxy, rows[:, 0].astype(int)))
    return out


@dataclass(frozen=True)
class ClassScore:
    name: str
    truth: int
    ap50: float
    precision: float  # at the manifest's threshold
    recall: float


@dataclass(frozen=True)
class Collected:
    """Every detection's score and whether it matched, per class, over a set; and the objects per class."""

    names: list[str]
    scores: list[np.ndarray]
    hits: list[np.ndarray]
    truth: list[int]


def collect(manifest_path: Path, sets: list[Labelled]) -> Collected:
    """One run per frame with the confidence floor at 0.001. Matching is greedy by score, so precision and
    recall at any threshold are those of the detections above it: thresholds need no second run."""
    manifest, model_path = load_manifest(manifest_path)
    low = manifest.model_copy(
        update={"thresholds": manifest.thresholds.model_copy(update={"confidence": 0.001, "per_class": {}})}
    )
    detector = Detector(low, model_path, SessionPool(THREADS))
    nc = len(manifest.classes)
    scores: list[list[float]] = [[] for _ in range(nc)]
    hits: list[list[bool]] = [[] for _ in range(nc)]
    truth = [0] * nc
    for n, item in enumerate(sets, 1):
        dets = detector.detect(read_image(item.image))
        for c in range(nc):
            gt = item.boxes[item.classes == c]
            truth[c] += len(gt)
            mine = dets.class_id == c
            scores[c].extend(dets.confidence[mine].tolist())
            hits[c].extend(match(dets.xyxy[mine], dets.confidence[mine], gt).tolist())
        if n % 200 == 0:
            print(f"  {n}/{len(sets)} images", flush=True)
    return Collected(
        list(manifest.classes), [np.array(s) for s in scores], [np.array(h, bool) for h in hits], truth
    )


def score(collected: Collected, thresholds: list[float]) -> list[ClassScore]:
    result = []
    for c, name in enumerate(collected.names):
        s, h, n_truth = collected.scores[c], collected.hits[c], collected.truth[c]
        ap = average_precision(s, h, n_truth)
        above = s >= thresholds[c]
        precision = float(h[above].mean()) if above.any() else float("nan")
        recall = float(h[above].sum() / n_truth) if n_truth else float("nan")
        result.append(ClassScore(name, n_truth, ap, precision, recall))
    return result


def tune_thresholds(collected: Collected, floor: float) -> dict[str, float]:
    """Per class, the best-F1 threshold (never below ``floor``), rounded to 0.05 downwards."""
    out = {}
    for c, name in enumerate(collected.names):
        thr, _, _ = best_f1_threshold(collected.scores[c], collected.hits[c], collected.truth[c], floor)
        out[name] = max(floor, float(np.floor(thr * 20) / 20))
    return out


def write_thresholds(manifest_paths: list[Path], per_class: dict[str, float], tuned_on: str) -> None:
    for path in manifest_paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["thresholds"]["per_class"] = per_class
        data.setdefault("card", {}).setdefault("evaluation", {})["thresholds_tuned_on"] = tuned_on
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@dataclass(frozen=True)
class Latency:
    size: int
    runtime: str
    median_ms: float
    p90_ms: float


def measure_latency(onnx_path: Path, size: int, frames: list[np.ndarray], rounds: int) -> list[Latency]:
    blobs = [letterbox(f, (size, size))[0] for f in frames]
    session = SessionPool(THREADS).session(onnx_path)
    cv2.setNumThreads(THREADS)
    net = cv2.dnn.readNetFromONNX(str(onnx_path))

    def run_ort(blob: np.ndarray) -> None:
        session.run(None, {"images": blob})

    def run_cv(blob: np.ndarray) -> None:
        net.setInput(blob)
        net.forward()

    out = []
    for name, run in (("onnxruntime", run_ort), ("opencv-dnn", run_cv)):
        for blob in blobs[:3]:
            run(blob)  # warm-up
        times = []
        for i in range(rounds):
            t0 = time.perf_counter()
            run(blobs[i % len(blobs)])
            times.append((time.perf_counter() - t0) * 1e3)
        out.append(Latency(size, name, float(np.median(times)), float(np.percentile(times, 90))))
    return out


def fmt(v: float) -> str:
    return "n/a" if np.isnan(v) else f"{v:.3f}"


def ap_table(scores: list[ClassScore]) -> str:
    lines = ["| class | objects | AP@0.5 | precision @thr | recall @thr |", "|---|---:|---:|---:|---:|"]
    for s in scores:
        lines.append(f"| {s.name} | {s.truth} | {fmt(s.ap50)} | {fmt(s.precision)} | {fmt(s.recall)} |")
    valid = [s.ap50 for s in scores if not np.isnan(s.ap50)]
    lines.append(
        f"| **mAP@0.5** ({len(valid)} classes) | {sum(s.truth for s in scores)} | "
        f"**{np.mean(valid):.3f}** | | |"
    )
    return "\n".join(lines)


def latency_table(rows: list[Latency]) -> str:
    lines = [
        "| input | onnxruntime median / p90 ms | OpenCV DNN median / p90 ms | OpenCV / ORT (median) |",
        "|---|---:|---:|---:|",
    ]
    for size in sorted({r.size for r in rows}):
        ort_row = next(r for r in rows if r.size == size and r.runtime == "onnxruntime")
        cv_row = next(r for r in rows if r.size == size and r.runtime == "opencv-dnn")
        lines.append(
            f"| {size}x{size} | {ort_row.median_ms:.1f} / {ort_row.p90_ms:.1f} | "
            f"{cv_row.median_ms:.1f} / {cv_row.p90_ms:.1f} | {cv_row.median_ms / ort_row.median_ms:.2f}x |"
        )
    return "\n".join(lines)


def plot(scores: list[ClassScore], rows: list[Latency], path: Path) -> None:
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    names = [s.name for s in scores]
    a.bar(names, [0 if np.isnan(s.ap50) else s.ap50 for s in scores], color="tab:blue")
    a.axhline(0.9, color="tab:red", ls="--", lw=1, label="e-bike target 0.9")
    a.set_ylim(0, 1.05)
    a.set_ylabel("AP@0.5")
    a.set_title("held-out generated scenes")
    a.tick_params(axis="x", rotation=30)
    a.legend(loc="lower left")
    sizes = sorted({r.size for r in rows})
    x = np.arange(len(sizes))
    for k, runtime in enumerate(("onnxruntime", "opencv-dnn")):
        med = [next(r.median_ms for r in rows if r.size == s and r.runtime == runtime) for s in sizes]
        b.bar(x + (k - 0.5) * 0.38, med, 0.38, label=runtime)
    b.set_xticks(x, [f"{s}x{s}" for s in sizes])
    b.set_ylabel("ms per frame (median, 2 threads)")
    b.set_title("CPU latency, same ONNX, same frames")
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(section: str, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(r"^## Reference indoor detector\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def update_card(manifest_path: Path, scores: list[ClassScore], command: str, sets: list[str]) -> None:
    """Record the measured AP in the manifest's card (the sha256 is of the .onnx file, so it stays valid)."""
    data = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    valid = [s.ap50 for s in scores if not np.isnan(s.ap50)]
    data.setdefault("card", {}).setdefault("evaluation", {}).update(
        {
            "map50": round(float(np.mean(valid)), 4),
            "ap50": {s.name: None if np.isnan(s.ap50) else round(s.ap50, 4) for s in scores},
            "objects": {s.name: s.truth for s in scores},
            "heldout_sets": sets,
            "command": command,
        }
    )
    manifest_path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, nargs="+", required=True, help="held-out YOLO-layout sets")
    p.add_argument("--manifest", type=Path, default=DEFAULT_INDOOR_MANIFEST, help="default: shipped")
    p.add_argument(
        "--other-sizes",
        type=Path,
        nargs="*",
        default=OTHER_SIZES,
        help="the same weights at other input sizes: timed too, and given the tuned thresholds",
    )
    p.add_argument("--split", default="*", help="which split of each --data set (held-out sets: all)")
    p.add_argument("--limit", type=int, default=None, help="images per set")
    p.add_argument("--rounds", type=int, default=200, help="latency runs per runtime and size")
    p.add_argument("--quick", action="store_true", help="60 images per set, 20 latency rounds")
    p.add_argument("--png", type=Path, default=ROOT / "benchmarks/plots/detector_eval.png")
    p.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/detector_eval.json")
    p.add_argument("--write-results", action="store_true", help="update benchmarks/RESULTS.md and the card")
    p.add_argument(
        "--tune", type=Path, default=None, help="tune per-class thresholds on this set's val split"
    )
    p.add_argument("--floor", type=float, default=0.2, help="lowest per-class threshold --tune may choose")
    args = p.parse_args()
    limit, rounds = (60, 20) if args.quick else (args.limit, args.rounds)
    t0 = time.perf_counter()
    if args.tune is not None:
        tune_items = read_set(args.tune, limit, split="val")
        per_class = tune_thresholds(collect(args.manifest, tune_items), args.floor)
        print(f"thresholds (best F1 on {len(tune_items)} images of {args.tune}): {per_class}", flush=True)
        write_thresholds(
            [args.manifest, *args.other_sizes], per_class, f"{args.tune} ({len(tune_items)} images)"
        )
    items = [it for d in args.data for it in read_set(d, limit, split=args.split)]
    print(f"{len(items)} held-out images from {', '.join(str(d) for d in args.data)}", flush=True)
    manifest, model_path = load_manifest(args.manifest)
    scores = score(
        collect(args.manifest, items), [manifest.threshold_of(c) for c in range(len(manifest.classes))]
    )
    t_ap = time.perf_counter() - t0
    print(ap_table(scores), flush=True)
    frames = [read_image(it.image) for it in items[:: max(1, len(items) // 20)]][:20]
    rows: list[Latency] = []
    for manifest_path in (args.manifest, *args.other_sizes) if rounds else ():
        manifest, onnx_path = load_manifest(manifest_path)
        rows += measure_latency(onnx_path, manifest.input_size[0], frames, rounds)
    if not rows:
        print(f"AP over {len(items)} images in {t_ap:.0f}s (no latency: --rounds 0)")
        return 0
    print(latency_table(rows), flush=True)
    args.png.parent.mkdir(parents=True, exist_ok=True)
    plot(scores, rows, args.png)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps({"ap": [s.__dict__ for s in scores], "latency": [r.__dict__ for r in rows]}, indent=1),
        encoding="utf-8",
    )
    command = "python benchmarks/detector_eval.py " + " ".join(sys.argv[1:])
    print(f"AP over {len(items)} images in {t_ap:.0f}s; total {time.perf_counter() - t0:.0f}s; {args.png}")
    if args.write_results:
        sets = [str(d) for d in args.data]
        update_card(args.manifest, scores, command, sets)
        section = (
            "## Reference indoor detector\n\n"
            f"`{_shown(model_path)}` (see docs/models.md): trained here on generated scenes "
            f"only. Held-out generated sets ({', '.join(f'`{s}`' for s in sets)}, seeds not trained on), "
            f"{len(items)} images, through `edge.detect.Detector` (confidence floor 0.001 for AP; "
            "precision and recall at the manifest's thresholds).\n\n"
            f"```\n{command}\n```\n\n{ap_table(scores)}\n\n"
            f"Latency per frame, model run only, {THREADS} threads, {rounds} runs after warm-up, same ONNX "
            f"and letterboxed frames for both runtimes:\n\n{latency_table(rows)}\n\n"
            f"![detector eval]({args.png.relative_to(ROOT / 'benchmarks')})\n\n"
        )
        write_results(section, ROOT / "benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
