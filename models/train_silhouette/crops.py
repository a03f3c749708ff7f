"""Labelled crops for the silhouette model, cut from rendered corridor clips.

Each analysed frame of a clip (the camera's 5 fps of the 10 fps video, read back from the MP4 as the edge
reads it) is run through the shipped detector; every person box, and a jittered copy of it (detectors
place boxes a little differently frame to frame), gives a crop of the frame and the same crop of the
renderer's own people pixels (``CorridorRenderer.people``: what people show, items in front of them
hidden) as the soft label. Talkers standing by items and items at people's feet are in these scenes, so
the model learns legs from boxes and bags.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge.detect import Detector, SessionPool
from edge.detect.silhouette import crop, crop_window
from edge.rules.people import DetectedPeople
from edge.synth.corridor import corridor_renderer
from edge.synth.corridor_scene import ANALYSED_FPS
from models.train_silhouette import INPUT_SIZE, MARGIN

CLIP_NAME = re.compile(r"corridor-(\d+)-(\d+)\.mp4$")


@dataclass(frozen=True)
class Crops:
    images: np.ndarray  # (N, height, width, 3) uint8, BGR
    labels: np.ndarray  # (N, height, width) uint8: share of the pixel people show, 0..255
    clip: np.ndarray  # (N,) index of the clip each came from

    def save(self, path: Path) -> None:
        np.savez_compressed(path, images=self.images, labels=self.labels, clip=self.clip)

    @classmethod
    def load(cls, path: Path) -> Crops:
        with np.load(path) as data:
            return cls(data["images"], data["labels"], data["clip"])


def jittered(box: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The box moved and resized by up to a tenth of its size."""
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    dx, dy = rng.uniform(-0.1, 0.1, 2) * (w, h)
    sw, sh = rng.uniform(0.9, 1.1, 2)
    cx, cy = (x1 + x2) / 2 + dx, (y1 + y2) / 2 + dy
    return np.array([cx - w * sw / 2, cy - h * sh / 2, cx + w * sw / 2, cy + h * sh / 2], np.float32)


def clip_crops(
    video: Path,
    people: DetectedPeople,
    rng: np.random.Generator,
    clips: int = 3,
    size: tuple[int, int] = INPUT_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """Crops (``size``: width, height) and labels of one rendered clip (``corridor-SEED-K.mp4`` of a
    ``clips``-clip set)."""
    match = CLIP_NAME.search(video.name)
    if match is None:
        raise ValueError(f"{video} is not named corridor-SEED-K.mp4")
    seed, k = int(match[1]), int(match[2])
    renderer = corridor_renderer(seed, k, clips)
    scene = renderer.scene
    every = max(1, round(scene.fps / ANALYSED_FPS))
    capture = cv2.VideoCapture(str(video))
    images: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    index = 0
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            t = index / scene.fps
            index += 1
            if (index - 1) % every:
                continue
            boxes = people.boxes(frame)
            if not len(boxes):
                continue
            shown = renderer.people(t).astype(np.uint8) * 255
            for box in boxes:
                for b in (box, jittered(box, rng)):
                    window = crop_window(b, MARGIN)
                    images.append(crop(frame, window, size))
                    labels.append(crop(shown, window, size))
    finally:
        capture.release()
    w, h = size
    if not images:
        return np.zeros((0, h, w, 3), np.uint8), np.zeros((0, h, w), np.uint8)
    return np.stack(images), np.stack(labels)


def cut_crops(videos: list[Path], manifest: Path, seed: int = 0, size: tuple[int, int] = INPUT_SIZE) -> Crops:
    """Crops of every clip, with a progress line per clip."""
    people = DetectedPeople(Detector.from_manifest(manifest, SessionPool()))
    rng = np.random.default_rng(seed)
    images, labels, clip = [], [], []
    started = time.monotonic()
    for i, video in enumerate(videos):
        x, y = clip_crops(video, people, rng, size=size)
        images.append(x)
        labels.append(y)
        clip.append(np.full(len(x), i, np.int32))
        print(
            f"[{i + 1}/{len(videos)}] {video.name}: {len(x)} crops ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
    return Crops(np.concatenate(images), np.concatenate(labels), np.concatenate(clip))
