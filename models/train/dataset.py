"""The ultralytics YOLO layout (``images/{split}/*.jpg``, ``labels/{split}/*.txt``, ``data.yaml``), held in
memory at the training scale, with the edge runtime's letterbox and light augmentation.

Frames are decoded once and shrunk so the long side is ``cache_side`` pixels; every batch then only
resizes small arrays. The training letterbox matches ``edge.detect.letterbox`` (grey 114 padding, RGB, 0..1)
so the model sees at training what it sees in the agent.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml

PAD = 114


@dataclass(frozen=True)
class Sample:
    name: str
    image: np.ndarray  # BGR uint8, long side == cache_side
    boxes: np.ndarray  # (M, 4) xyxy in normalised 0..1 image coordinates
    classes: np.ndarray  # (M,) int64


def read_names(root: Path) -> list[str]:
    """Class names in id order from ``data.yaml`` (a ``{id: name}`` map or a list)."""
    names = yaml.safe_load((root / "data.yaml").read_text(encoding="utf-8"))["names"]
    if isinstance(names, dict):
        return [str(names[i]) for i in sorted(int(k) for k in names)]
    return [str(n) for n in names]


def read_labels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A label file → (xyxy normalised, class ids). A missing file is an image with no objects."""
    rows = np.zeros((0, 5), np.float32)
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        if text:
            rows = np.array([line.split()[:5] for line in text.splitlines()], np.float32).reshape(-1, 5)
    cx, cy, w, h = rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4]
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1).clip(0, 1)
    return xyxy.astype(np.float32), rows[:, 0].astype(np.int64)


def image_files(root: Path, split: str) -> list[Path]:
    folder = root / "images" / split
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def label_path(root: Path, split: str, image: Path) -> Path:
    return root / "labels" / split / f"{image.stem}.txt"


def _load_one(root: Path, split: str, image: Path, cache_side: int) -> Sample | None:
    frame = cv2.imread(str(image), cv2.IMREAD_COLOR)
    if frame is None:
        return None
    h, w = frame.shape[:2]
    scale = cache_side / max(h, w)
    small = cv2.resize(frame, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    boxes, classes = read_labels(label_path(root, split, image))
    return Sample(image.stem, small, boxes, classes)


def load_split(
    root: Path, split: str, cache_side: int, limit: int | None = None, skip: set[str] | None = None
) -> list[Sample]:
    """Every image of a split (but those named in ``skip``), decoded and shrunk (two threads: cv2 releases
    the GIL). An image whose label file is not there yet is left for later: the generator writes the image
    first and the label last, so a present label means a complete pair."""
    files = [
        p
        for p in image_files(root, split)[:limit]
        if p.stem not in (skip or set()) and label_path(root, split, p).is_file()
    ]
    with ThreadPoolExecutor(2) as pool:
        loaded = list(pool.map(lambda p: _load_one(root, split, p, cache_side), files))
    return [s for s in loaded if s is not None]


@dataclass(frozen=True)
class Augment:
    flip: float = 0.5
    scale: tuple[float, float] = (0.75, 1.25)  # relative to the letterbox fit
    shift: float = 0.15  # fraction of the input the content may move, beyond centring
    gain: float = 0.35  # brightness / contrast / per-channel colour, +- this fraction
    min_visible: float = 0.4  # a cut box keeps this fraction of its area or is dropped


NO_AUGMENT = Augment(flip=0.0, scale=(1.0, 1.0), shift=0.0, gain=0.0)


def place(
    sample: Sample, size: int, aug: Augment, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One sample → (HWC RGB uint8 ``size``², xyxy boxes in input pixels, classes)."""
    img = sample.image
    h, w = img.shape[:2]
    fit = min(size / w, size / h) * rng.uniform(*aug.scale)
    nw, nh = max(1, round(w * fit)), max(1, round(h * fit))
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    boxes = sample.boxes * np.array([nw, nh, nw, nh], np.float32)
    if rng.random() < aug.flip:
        img = img[:, ::-1]
        boxes = boxes[:, [2, 1, 0, 3]] * np.array([-1, 1, -1, 1], np.float32) + np.array([nw, 0, nw, 0])
    ox = (size - nw) / 2 + rng.uniform(-aug.shift, aug.shift) * size
    oy = (size - nh) / 2 + rng.uniform(-aug.shift, aug.shift) * size
    ox, oy = round(ox), round(oy)
    canvas = np.full((size, size, 3), PAD, np.uint8)
    x0, y0, x1, y1 = max(ox, 0), max(oy, 0), min(ox + nw, size), min(oy + nh, size)
    if x1 > x0 and y1 > y0:
        canvas[y0:y1, x0:x1] = img[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    boxes = boxes + np.array([ox, oy, ox, oy], np.float32)
    clipped = boxes.clip(np.array([x0, y0, x0, y0]), np.array([x1, y1, x1, y1])).astype(np.float32)
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    kept_area = (clipped[:, 2] - clipped[:, 0]) * (clipped[:, 3] - clipped[:, 1])
    keep = (kept_area >= aug.min_visible * np.maximum(area, 1e-6)) & (kept_area > 4)
    if aug.gain > 0:
        g = aug.gain
        colour = rng.uniform(1 - g / 2, 1 + g / 2, 3) * rng.uniform(1 - g, 1 + g)
        offset = rng.uniform(-g, g) * 40
        valid = canvas[y0:y1, x0:x1].astype(np.float32) * colour + offset
        canvas[y0:y1, x0:x1] = valid.clip(0, 255).astype(np.uint8)
    rgb = np.ascontiguousarray(canvas[:, :, ::-1])
    return rgb, clipped[keep], sample.classes[keep]


def collate(
    samples: list[Sample], size: int, aug: Augment, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch → (B, 3, S, S) float32 0..1, boxes (B, M, 4) padded, classes (B, M) padded with -1."""
    placed = [place(s, size, aug, rng) for s in samples]
    m = max([1, *(len(p[1]) for p in placed)])
    images = np.stack([p[0] for p in placed]).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    boxes = np.zeros((len(placed), m, 4), np.float32)
    classes = np.full((len(placed), m), -1, np.int64)
    for i, (_, b, c) in enumerate(placed):
        boxes[i, : len(b)] = b
        classes[i, : len(c)] = c
    return images, boxes, classes
