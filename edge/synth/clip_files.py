"""Write a rendered scene to disk: the video, a camera config ``sharpeyes edge scan`` accepts, the truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from edge.synth.facade import FacadeScene, render, truth_document
from sharpeyes.errors import SharpEyesError


class SynthError(SharpEyesError):
    """A synthetic clip could not be written (no usable video codec, unwritable directory)."""


@dataclass(frozen=True)
class ClipFiles:
    video: Path
    camera: Path
    truth: Path


def open_writer(stem: Path, fps: float, size: tuple[int, int]) -> tuple[cv2.VideoWriter, Path]:
    """An mp4 (``mp4v``) writer, or MJPG in an ``.avi`` where this OpenCV build has no mp4 encoder."""
    for fourcc, suffix in (("mp4v", ".mp4"), ("MJPG", ".avi")):
        path = stem.with_suffix(suffix)
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*fourcc), fps, size)
        if writer.isOpened():
            return writer, path
        writer.release()
        path.unlink(missing_ok=True)
    raise SynthError(f"no video encoder available for {stem} (tried mp4v and MJPG)")


def camera_document(scene: FacadeScene, video: Path) -> dict[str, Any]:
    return {
        "id": f"synth-facade-{scene.seed}",
        "kind": "facade",
        "source": video.name,
        "building": f"SYN-{scene.seed}",
        "detectors": ["high_altitude_throw"],
        "fps": scene.options.fps,
        "facade": {
            "floor_boundaries_y": [round(r, 1) for r in scene.floor_rows],
            "meters_per_floor": round(scene.building.meters_per_floor, 3),
        },
    }


def write_clip(scene: FacadeScene, out_dir: Path, name: str | None = None) -> ClipFiles:
    """Render every frame into a video next to its camera YAML and truth JSON."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / (name or f"facade-{scene.seed}")
    opts = scene.options
    writer, video = open_writer(stem, opts.fps, (opts.width, opts.height))
    tracks: dict[int, list[list[float]]] = {}
    try:
        for frame in render(scene):
            writer.write(frame.image)
            for i, (x, y) in frame.objects.items():
                tracks.setdefault(i, []).append([round(frame.t, 4), round(x, 2), round(y, 2)])
    finally:
        writer.release()
    camera = stem.with_suffix(".camera.yaml")
    camera.write_text(yaml.safe_dump(camera_document(scene, video), sort_keys=False), encoding="utf-8")
    truth = stem.with_suffix(".truth.json")
    truth.write_text(json.dumps(truth_document(scene, tracks, video.name), indent=1), encoding="utf-8")
    return ClipFiles(video, camera, truth)


def frames_in_memory(scene: FacadeScene) -> tuple[list[np.ndarray], dict[str, Any]]:
    """All frames and the truth without touching disk (for tests on short, small clips)."""
    frames: list[np.ndarray] = []
    tracks: dict[int, list[list[float]]] = {}
    for frame in render(scene):
        frames.append(frame.image)
        for i, (x, y) in frame.objects.items():
            tracks.setdefault(i, []).append([round(frame.t, 4), round(x, 2), round(y, 2)])
    return frames, truth_document(scene, tracks, "")
