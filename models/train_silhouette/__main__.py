"""``python -m models.train_silhouette crops --clips DIR... --out FILE.npz [--size W H]`` then
``python -m models.train_silhouette train --crops FILE.npz... --val FILE.npz... --out models/silhouette``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edge.detect.silhouette import (
    SilhouetteManifest,  # noqa: F401  (the manifest the export writes)
    checked_input_size,
)
from models.train_silhouette import INPUT_SIZE

DEFAULT_DETECTOR = Path(__file__).resolve().parents[1] / "indoor" / "indoor-det-320.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m models.train_silhouette", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("crops", help="cut labelled crops out of rendered corridor clips")
    c.add_argument(
        "--clips", type=Path, nargs="+", required=True, help="corridor-SEED-K.mp4 files or folders"
    )
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--detector", type=Path, default=DEFAULT_DETECTOR)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument(
        "--size",
        type=int,
        nargs=2,
        default=INPUT_SIZE,
        metavar=("WIDTH", "HEIGHT"),
        help="crop size, the model's input (train takes it from the crops)",
    )
    t = sub.add_parser("train", help="fit the net on crops and export ONNX + manifest")
    t.add_argument("--crops", type=Path, nargs="+", required=True)
    t.add_argument("--val", type=Path, nargs="+", required=True, help="crops held out for validation")
    t.add_argument("--out", type=Path, required=True, help="folder for the .onnx, .yaml and loss plot")
    t.add_argument("--work", type=Path, default=Path("build/silhouette-train"))
    t.add_argument("--minutes", type=float, default=10.0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--version", default="0.1.0")
    t.add_argument(
        "--init", type=Path, default=None, help="start from these weights (.pt); --minutes 0 exports them"
    )
    args = parser.parse_args(argv)
    if args.command == "crops":
        try:  # the manifest's own rule: refused now, not once the trained model is loaded
            size = checked_input_size((args.size[0], args.size[1]))
        except ValueError as exc:
            parser.error(f"--size {args.size[0]} {args.size[1]}: {exc}")
        from models.train_silhouette.crops import cut_crops

        videos = sorted(v for p in args.clips for v in ([p] if p.is_file() else p.glob("corridor-*.mp4")))
        cut_crops(videos, args.detector, args.seed, size).save(args.out)
        return 0
    from models.train_silhouette.fit import TrainConfig, train

    config = TrainConfig(
        args.crops, args.val, args.out, args.work, args.minutes, args.seed, args.version, init=args.init
    )
    train(config, argv or sys.argv[1:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
