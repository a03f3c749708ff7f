"""Synthetic corridor clips with ground truth, for the clutter rule's evaluation and for demos.

A camera looks down a corridor (pinhole perspective: floor, walls, ceiling lights, doors that open and
close). People walk through, some pausing; some of them put an item down and someone later takes it
away — some items stay longer than the zone's ``dwell_s``, some shorter. In about half the clips two
neighbours meet in the fire lane and stand talking for longer than the dwell: people, not clutter.
People are drawn as the indoor detector's 3D ``Person`` (``indoor_things``), walking or standing.
Lighting drifts slowly (global gain and a side-to-side gradient) and every frame has sensor noise.
Each clip comes with the camera config (YAML) and a ground-truth JSON that says which items must raise
an alert and since when.

This module writes the clips; the scene is in ``corridor_scene`` (geometry, people, items, a random
scene from a seed), its drawing in ``corridor_draw`` and its truth in ``corridor_truth``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import yaml

from edge.synth.corridor_draw import CorridorRenderer
from edge.synth.corridor_scene import (
    ANALYSED_FPS,
    CorridorScene,
    H,
    W,
    add_talkers,
    make_scene,
    zone_polygon,
)
from edge.synth.corridor_truth import ground_truth, item_sightings
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


def camera_config(camera_id: str, clip: Path, dwell_s: float, fps: float = ANALYSED_FPS) -> dict[str, object]:
    return {
        "id": camera_id,
        "kind": "corridor",
        "source": str(clip),
        "building": "B-SYN",
        "detectors": ["corridor_clutter"],
        "fps": fps,
        "mask": [],
        "zones": [{"name": "fire_lane", "polygon": zone_polygon(), "dwell_s": dwell_s}],
    }


def write_clip(
    scene: CorridorScene, path: Path, seed: int, progress: Callable[[float], None] | None = None
) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), scene.fps, (W, H))
    if not writer.isOpened():
        raise OSError(f"cannot write {path}")
    renderer = CorridorRenderer(scene, seed)
    frames = round(scene.duration_s * scene.fps)
    try:
        for i in range(frames):
            writer.write(renderer.frame(i / scene.fps))
            if progress is not None and i % 100 == 0:
                progress(i / frames)
    finally:
        writer.release()


def _named(progress: Callable[[str, float], None], name: str) -> Callable[[float], None]:
    def report(fraction: float) -> None:
        progress(name, fraction)

    return report


def corridor_scene(seed: int, k: int, clips: int, duration_s: float, dwell_s: float) -> CorridorScene:
    """Clip ``k`` of a set of ``clips`` for ``seed``: items and passers-by from one random stream,
    talkers from another (``add_talkers``). The last clip of a set has no items and stronger light drift."""
    rng = np.random.default_rng([seed, k])
    light_only = clips > 1 and k == clips - 1
    scene = make_scene(
        rng,
        duration_s,
        dwell_s,
        n_items=0 if light_only else int(rng.integers(4, 7)),
        strong_light=light_only,
    )
    add_talkers(scene, np.random.default_rng([seed, k, 29]))
    return scene


def corridor_renderer(
    seed: int, k: int, clips: int = 3, duration_s: float = 150.0, dwell_s: float = 20.0
) -> CorridorRenderer:
    """The renderer of clip ``k`` of ``seed``'s set, as ``write_corridor_clip`` renders it: to draw a
    frame's people again (``people``, ``people_apart``) without decoding the video."""
    return CorridorRenderer(corridor_scene(seed, k, clips, duration_s, dwell_s), _render_seed(seed, k))


def _render_seed(seed: int, k: int) -> int:
    return seed * 1000 + k


def clip_renderer(truth_path: Path, clips: int = 3) -> CorridorRenderer:
    """The renderer of a clip ``write_corridor_clip`` wrote (``corridor-SEED-K.truth.json``, one of a set
    of ``clips``), with the duration and dwell its truth gives."""
    name = truth_path.name.removesuffix(".truth.json")
    try:
        _, seed, k = name.split("-")
        at = (int(seed), int(k))
    except ValueError:
        raise ValueError(f"{truth_path.name} is not named corridor-SEED-K.truth.json") from None
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    return corridor_renderer(*at, clips, float(truth["duration_s"]), float(truth["dwell_s"]))


def write_corridor_clip(
    out: Path,
    seed: int,
    k: int,
    clips: int = 3,
    duration_s: float = 150.0,
    dwell_s: float = 20.0,
    progress: Callable[[str, float], None] | None = None,
    video: bool = True,
) -> Path:
    """Write clip ``k`` of ``seed``'s set (video, camera YAML, ground truth) into ``out``; return the
    ground-truth path. ``video=False`` rewrites only the YAML and the truth of a clip already rendered
    (the scene is the same for the same seed)."""
    out.mkdir(parents=True, exist_ok=True)
    scene = corridor_scene(seed, k, clips, duration_s, dwell_s)
    name = f"corridor-{seed}-{k}"
    clip = out / f"{name}.mp4"
    camera_id = f"cam-syn-corridor-{seed}-{k}"
    render_seed = _render_seed(seed, k)
    if video:
        log.info("rendering corridor clip", extra=fields(clip=str(clip), seconds=duration_s))
        write_clip(scene, clip, render_seed, _named(progress, name) if progress is not None else None)
    camera = camera_config(camera_id, clip, dwell_s)
    camera_path = out / f"{name}.camera.yaml"
    camera_path.write_text(yaml.safe_dump(camera, sort_keys=False), encoding="utf-8")
    sightings = item_sightings(scene, render_seed, ANALYSED_FPS)
    truth_path = out / f"{name}.truth.json"
    truth_path.write_text(
        json.dumps(ground_truth(scene, clip.name, camera_path.name, sightings), indent=2), encoding="utf-8"
    )
    return truth_path


def write_corridor_set(
    out: Path,
    seed: int,
    clips: int = 3,
    duration_s: float = 150.0,
    dwell_s: float = 20.0,
    progress: Callable[[str, float], None] | None = None,
) -> list[Path]:
    """Write ``clips`` clips with camera YAML and ground truth into ``out``; return the ground-truth paths.

    The last clip (when there are two or more) has no items at all and stronger lighting drift: it must
    raise nothing.
    """
    return [write_corridor_clip(out, seed, k, clips, duration_s, dwell_s, progress) for k in range(clips)]
