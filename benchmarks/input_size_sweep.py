"""Which input size to ship: the same weights exported at several square sizes, AP@0.5 per class on one set.

    python -m models.train --export-only CKPT --out build/sizes --data /work/data/indoor-train \\
        --sizes 320 384 416 448 480                      # needs the [train] extra
    python benchmarks/input_size_sweep.py --manifests build/sizes/*.yaml \\
        --data /work/data/indoor-train --split val       # choose here, on the training set's val split

The model trains with scale augmentation (0.75-1.25 of the letterbox fit at ``models.train --size``), so
a somewhat larger input shows small, far objects at sizes it has learned while large ones stay within what
it has seen; too large and near objects outgrow them. The size is chosen on the val split, never on the
held-out sets. Prints a table and saves a plot (e-bike AP and mAP against input size).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # measure this checkout, not an installed one

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from benchmarks.detector_eval import ClassScore, collect, read_set, score
from edge.detect.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]


def sweep(
    manifests: list[Path], data: list[Path], split: str, limit: int | None
) -> list[tuple[int, list[ClassScore]]]:
    items = [it for d in data for it in read_set(d, limit, split=split)]
    print(f"{len(items)} images from {', '.join(map(str, data))} (split {split})", flush=True)
    out = []
    for path in manifests:
        manifest, _ = load_manifest(path)
        t0 = time.perf_counter()
        thresholds = [manifest.threshold_of(c) for c in range(len(manifest.classes))]
        out.append((manifest.input_size[0], score(collect(path, items), thresholds)))
        print(f"  {path.name}: {time.perf_counter() - t0:.0f}s", flush=True)
    return sorted(out, key=lambda r: r[0])


def table(rows: list[tuple[int, list[ClassScore]]]) -> str:
    names = [s.name for s in rows[0][1]]
    lines = ["| input | " + " | ".join(names) + " | mAP@0.5 |", "|---|" + "---:|" * (len(names) + 1)]
    for size, scores in rows:
        aps = [s.ap50 for s in scores]
        cells = " | ".join(f"{a:.3f}" for a in aps)
        lines.append(f"| {size}x{size} | {cells} | {np.nanmean(aps):.3f} |")
    return "\n".join(lines)


def plot(rows: list[tuple[int, list[ClassScore]]], path: Path, title: str) -> None:
    sizes = [r[0] for r in rows]
    ebike = [next(s.ap50 for s in r[1] if s.name == "ebike") for r in rows]
    mean = [float(np.nanmean([s.ap50 for s in r[1]])) for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot(sizes, ebike, "o-", label="e-bike AP@0.5")
    ax.plot(sizes, mean, "s--", label="mAP@0.5")
    ax.axhline(0.9, color="tab:red", lw=1, ls=":", label="e-bike target")
    ax.set_xlabel("square input size (px)")
    ax.set_ylabel("AP@0.5")
    ax.set_title(title, fontsize=9)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--manifests", type=Path, nargs="+", required=True, help="one export per input size")
    p.add_argument("--data", type=Path, nargs="+", required=True)
    p.add_argument("--split", default="val")
    p.add_argument("--limit", type=int, default=None, help="images per set")
    p.add_argument("--png", type=Path, default=ROOT / "benchmarks/plots/input_size_sweep.png")
    args = p.parse_args()
    rows = sweep(args.manifests, args.data, args.split, args.limit)
    print(table(rows))
    args.png.parent.mkdir(parents=True, exist_ok=True)
    plot(rows, args.png, f"{', '.join(d.name for d in args.data)} ({args.split})")
    print(f"plot: {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
