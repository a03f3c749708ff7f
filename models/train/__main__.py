"""``python -m models.train --data DIR --out models/indoor --seed 0 --epochs E [--minutes M]``

Trains on a YOLO-layout dataset, exports the EMA weights to ONNX at each of ``--sizes`` (512, the shipped
input, then 320 and 640 for the latency table), checks onnxruntime against OpenCV DNN on validation frames,
and writes the manifests.
"""

from __future__ import annotations

import argparse
import faulthandler
import shlex
import signal
import sys
from pathlib import Path

import numpy as np
import torch

from models.train import CLASSES
from models.train.card import write_manifest
from models.train.dataset import image_files, load_split
from models.train.export import OPSET, check_runtimes, export_onnx
from models.train.loop import TrainConfig, build_model, train


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m models.train", description=__doc__)
    p.add_argument(
        "--data", type=Path, required=True, help="YOLO-layout dataset (data.yaml, images/, labels/)"
    )
    p.add_argument("--out", type=Path, required=True, help="where the .onnx and manifests go")
    p.add_argument("--work", type=Path, default=Path("build/indoor-train"), help="checkpoints, loss curve")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--minutes", type=float, default=None, help="time budget; the LR schedule follows it")
    p.add_argument("--size", type=int, default=320, help="square training input (scale-augmented around it)")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="at most this many training images")
    p.add_argument("--log-every", type=int, default=20, help="a progress line every this many steps")
    p.add_argument("--grow", action="store_true", help="rescan --data each epoch for newly written images")
    p.add_argument("--init", type=Path, default=None, help="start from this checkpoint's weights")
    p.add_argument("--export-only", type=Path, default=None, help="skip training; export this checkpoint")
    p.add_argument(
        "--sizes", type=int, nargs="+", default=[512, 320, 640], help="square input sizes to export"
    )
    p.add_argument("--version", default="0.1.0")
    p.add_argument("--data-note", default="", help="what generated the data (generator, seeds), for the card")
    return p.parse_args(argv)


def _val_blobs(data: Path, size: int, count: int) -> list[np.ndarray]:
    from edge.detect.letterbox import letterbox

    split = "val" if (data / "images" / "val").is_dir() else "train"
    samples = load_split(data, split, cache_side=640, limit=count)
    return [letterbox(s.image, (size, size))[0] for s in samples]


def main(argv: list[str]) -> int:
    args = _parse(argv)
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 PID` prints where a long run is
    command = "python -m models.train " + " ".join(shlex.quote(a) for a in argv)
    model: torch.nn.Module
    if args.export_only is not None:
        checkpoint = torch.load(args.export_only, map_location="cpu")
        model = build_model(tuple(checkpoint["width"]))
        model.load_state_dict(checkpoint["model"])
        summary: dict[str, object] = {"checkpoint": str(args.export_only), "steps": checkpoint["step"]}
        command = " ".join(str(v) for v in checkpoint.get("command", [command]))
    else:
        cfg = TrainConfig(
            data=args.data,
            work=args.work,
            seed=args.seed,
            epochs=args.epochs,
            minutes=args.minutes,
            size=args.size,
            batch=args.batch,
            lr=args.lr,
            threads=args.threads,
            init=args.init,
            limit=args.limit,
            log_every=args.log_every,
            grow=args.grow,
        )
        model, summary = train(cfg)
    model.eval()
    counts = {
        s: len(image_files(args.data, s)) for s in ("train", "val") if (args.data / "images" / s).is_dir()
    }
    for size in args.sizes:
        path = export_onnx(model, size, args.out / f"indoor-det-{size}.onnx")
        worst = check_runtimes(path, _val_blobs(args.data, size, 8))
        print(f"onnxruntime vs OpenCV DNN at {size}: max |diff| {worst:.2e}", flush=True)
        card = {
            "summary": "reference detector trained only on this project's generated indoor scenes; "
            "not a real-world detector",
            "architecture": "anchor-free CSP/PAN, strides 8/16/32, "
            f"{summary.get('parameters', '?')} parameters, BN folded, ONNX opset {OPSET}",
            "data": {"path": str(args.data), "note": args.data_note, "images": counts},
            "training": {"command": command, "seed": args.seed, **{k: v for k, v in summary.items()}},
            "evaluation": {"onnxruntime_vs_opencv_max_abs_diff": float(f"{worst:.3g}")},
        }
        manifest = write_manifest(path, size, card, args.version)
        print(f"wrote {manifest}", flush=True)
    if (args.work / "loss.png").is_file():
        (args.out / "loss.png").write_bytes((args.work / "loss.png").read_bytes())
    print(f"classes: {list(CLASSES)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
