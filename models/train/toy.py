"""A toy dataset in the YOLO layout (coloured shapes on a noisy floor), to build and debug the trainer
before the generated indoor scenes exist. Not used for the shipped model."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import yaml

from models.train import CLASSES

COLOURS = [
    (40, 40, 200),
    (200, 60, 40),
    (60, 180, 60),
    (0, 180, 230),
    (40, 110, 160),
    (160, 40, 160),
    (90, 90, 90),
]


def _draw(img: np.ndarray, cls: int, x0: int, y0: int, w: int, h: int) -> None:
    c = COLOURS[cls]
    if cls in (0, 1):  # two wheels and a bar, filled for ebike
        r = max(3, h // 3)
        for cx in (x0 + r, x0 + w - r):
            cv2.circle(img, (cx, y0 + h - r), r, c, -1 if cls == 0 else 2)
        cv2.line(img, (x0 + r, y0 + h - r), (x0 + w - r, y0 + h // 3), c, 3)
    elif cls == 3:
        cv2.ellipse(img, (x0 + w // 2, y0 + h // 2), (w // 2, h // 2), 0, 0, 360, c, -1)
    else:
        cv2.rectangle(img, (x0, y0), (x0 + w, y0 + h), c, -1 if cls != 2 else 3)


def write_toy(root: Path, train: int, val: int, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split, count in (("train", train), ("val", val)):
        (root / "images" / split).mkdir(parents=True, exist_ok=True)
        (root / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            h, w = (480, 640) if i % 2 else (360, 640)
            img = rng.integers(60, 200, 3).astype(np.uint8)[None, None] + rng.integers(
                0, 30, (h, w, 1)
            ).astype(np.uint8)
            rows = []
            for _ in range(rng.integers(1, 5)):
                cls = int(rng.integers(0, len(CLASSES)))
                bw, bh = int(rng.integers(30, 260)), int(rng.integers(30, 200))
                x0, y0 = int(rng.integers(0, w - bw)), int(rng.integers(0, h - bh))
                _draw(img, cls, x0, y0, bw, bh)
                rows.append(
                    f"{cls} {(x0 + bw / 2) / w:.6f} {(y0 + bh / 2) / h:.6f} {bw / w:.6f} {bh / h:.6f}"
                )
            cv2.imwrite(str(root / "images" / split / f"{i:05d}.jpg"), img)
            (root / "labels" / split / f"{i:05d}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    names = dict(enumerate(CLASSES))
    (root / "data.yaml").write_text(yaml.safe_dump({"path": str(root), "names": names}), encoding="utf-8")
    return root
