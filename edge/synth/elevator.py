"""Synthetic lift clips with ground truth, for the ``ebike_indoor`` rule's end-to-end evaluation and demos.

A clip is a sequence of episodes. In each, the doors open, something comes in from the landing (a person
pushing an e-bike, a bicycle or a stroller, people only, or a person with a box or bag), the doors close
for a few seconds while the car travels, open again, and it backs out; the doors close. Lighting drifts a
little and every frame has sensor noise.

The truth lists, per episode, each thing that came in with the time the bottom centre of its *visible*
box (what a detector's box is judged by, and what the rule tests against the zone) first and last lay in
the car-floor zone: ``enter_s``/``exit_s``. The camera config runs ``ebike_indoor`` at 5 analysed fps
with the car floor as its zone.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from edge.synth.clip_files import ClipFiles, open_writer
from edge.synth.indoor_compose import Scenery, Visible, far_to_near, paint
from edge.synth.indoor_effects import Look, apply_look
from edge.synth.indoor_objects import Placed, Thing, sample_thing
from edge.synth.indoor_things import Person
from edge.synth.lift_car import LiftCar, door_fraction
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

EPISODE_KINDS = ("ebike", "bicycle", "stroller", "people", "parcels")
ZONE_NAME = "car_floor"
VIDEO_FPS = 10.0
ANALYSED_FPS = 5.0
DOOR_MOVE_S = 1.0


@dataclass(frozen=True)
class Mover:
    """A thing moving along straight legs between keyframes ``(t, x, z)``, heading ``yaw`` throughout."""

    thing: Thing
    keys: tuple[tuple[float, float, float], ...]
    yaw: float
    id: str

    def at(self, t: float) -> Placed | None:
        ts = [k[0] for k in self.keys]
        if not ts[0] <= t <= ts[-1]:
            return None
        i = max(0, min(len(ts) - 2, int(np.searchsorted(ts, t, side="right")) - 1))
        (t0, x0, z0), (t1, x1, z1) = self.keys[i], self.keys[i + 1]
        a = 0.0 if t1 <= t0 else (t - t0) / (t1 - t0)
        thing = self.thing
        if isinstance(thing, Person):
            moving = math.hypot(x1 - x0, z1 - z0) > 1e-3
            thing = thing.at_phase(2 * math.pi * 1.7 * t, 0.35 if moving else 0.0)
        return Placed(thing, x0 + a * (x1 - x0), z0 + a * (z1 - z0), self.yaw)


@dataclass
class Episode:
    kind: str
    start_s: float
    end_s: float
    doors: list[tuple[float, float]]  # (opens_at, closes_at)
    movers: list[Mover] = field(default_factory=list)


@dataclass
class LiftClip:
    car: LiftCar
    episodes: list[Episode]
    duration_s: float
    look: Look
    fps: float = VIDEO_FPS

    def movers(self) -> list[Mover]:
        return [m for e in self.episodes for m in e.movers]

    def door_open(self, t: float) -> float:
        return max(
            (door_fraction(t, a, b, DOOR_MOVE_S) for e in self.episodes for a, b in e.doors), default=0.0
        )


def _offset(x: float, z: float, yaw: float, u: float, w: float) -> tuple[float, float]:
    c, s = math.cos(yaw), math.sin(yaw)
    return x + u * s + w * c, z + u * c - w * s


def make_episode(kind: str, t0: float, car: LiftCar, rng: np.random.Generator, tag: str) -> Episode:
    """Doors open at ``t0``; the subject comes in, stays while the car travels, backs out."""
    speed = float(rng.uniform(0.6, 0.9))
    door_x = (car.door_x0 + car.door_x1) / 2
    yaw = float(rng.normal(0.0, 0.08))  # heading into the car
    lead: Thing
    companions: list[tuple[Thing, float, float]] = []  # thing, offset along, offset across the lead
    if kind in ("ebike", "bicycle", "stroller"):
        lead = sample_thing(kind, rng)
        side = -1.0  # the pusher walks on the side away from the camera (it sits above x = width)
        if kind == "stroller":
            companions.append((Person.sample(rng, pushing=True), -lead.length / 2 - 0.3, 0.0))
        else:
            companions.append((Person.sample(rng, pushing=True), lead.length / 2 - 0.55, side * 0.5))
        stop_z = car.depth - 0.12 - lead.length / 2
        stop_x = min(max(door_x + 0.1, 0.8), car.width - lead.width / 2 - 0.05)
    elif kind == "people":
        lead = sample_thing("person", rng)
        for k in range(int(rng.integers(0, 3))):
            companions.append((sample_thing("person", rng), -0.55 * (k + 1), float(rng.uniform(-0.35, 0.35))))
        stop_z, stop_x = car.depth - 0.35, float(rng.uniform(0.4, car.width - 0.4))
    else:
        lead = sample_thing("person", rng)
        parcel = sample_thing("box" if rng.random() < 0.5 else "bag", rng)
        companions.append((parcel, 0.1, 0.45 if door_x < car.width / 2 else -0.45))
        stop_z, stop_x = car.depth - 0.4, float(rng.uniform(0.5, car.width - 0.5))
    outside_z = -1.7 - lead.length / 2
    walk_in = math.hypot(stop_x - door_x, stop_z - outside_z) / speed
    start_move = t0 + DOOR_MOVE_S * 0.6
    arrive = start_move + walk_in
    closes = arrive + float(rng.uniform(0.8, 1.5))
    reopens = closes + DOOR_MOVE_S + float(rng.uniform(3.0, 5.0))
    leave = reopens + DOOR_MOVE_S
    out_z = -1.4 - lead.length / 2
    gone = leave + math.hypot(stop_x - door_x, stop_z - out_z) / (speed * 0.8)
    closes_again = gone + 0.3
    end = closes_again + DOOR_MOVE_S + 0.5
    path = (
        (t0, door_x, outside_z),
        (start_move, door_x, outside_z),
        (arrive, stop_x, stop_z),
        (leave, stop_x, stop_z),
        (gone, door_x, out_z),
        (end, door_x, out_z),
    )
    movers = [Mover(lead, path, yaw, f"{tag}-0")]
    for k, (thing, u, w) in enumerate(companions, start=1):
        keys = tuple((t, *_offset(x, z, yaw, u, w)) for t, x, z in path)
        movers.append(Mover(thing, keys, yaw, f"{tag}-{k}"))
    return Episode(kind, t0, end, [(t0, closes), (reopens, closes_again)], movers)


def make_clip(rng: np.random.Generator, kinds: list[str], fps: float = VIDEO_FPS) -> LiftClip:
    car = LiftCar.sample(rng, min_depth=2.05)
    episodes = []
    t = float(rng.uniform(1.0, 2.0))
    for i, kind in enumerate(kinds):
        episode = make_episode(kind, t, car, rng, f"e{i}")
        episodes.append(episode)
        t = episode.end_s + float(rng.uniform(1.0, 2.5))
    return LiftClip(car, episodes, round(t, 1), Look.sample(rng, still=False), fps)


@dataclass(frozen=True)
class Frame:
    t: float
    image: np.ndarray
    visible: dict[str, Visible]  # mover id -> what of it is visible


def render(clip: LiftClip, seed: int) -> Iterator[Frame]:
    rng = np.random.default_rng(seed)
    car = clip.car
    movers = clip.movers()
    light = clip.look.light_field(car.camera.height, car.camera.width)
    base = np.zeros((car.camera.height, car.camera.width, 3), np.uint8)
    car.landing(base)
    for i in range(round(clip.duration_s * clip.fps)):
        t = i / clip.fps
        placed = {id(p): (m.id, p) for m in movers if (p := m.at(t)) is not None}
        items = list(placed.values())
        outside = [p for _, p in items if p.z < 0]
        inside = [p for _, p in items if p.z >= 0]
        layers: list[Placed | Scenery] = [
            *far_to_near(car.camera, outside),
            car.shell(clip.door_open(t)),
            *far_to_near(car.camera, inside),
        ]
        image = base.copy()
        drawn = paint(image, car.camera, layers)
        ids = {id(p): mid for mid, p in items}
        visible = {ids[id(v.placed)]: v for v in drawn}
        drift = 1.0 + 0.04 * math.sin(2 * math.pi * t / 23.0)
        yield Frame(t, apply_look(image, clip.look, rng, light * drift), visible)


def _in_zone(v: Visible, zone: np.ndarray) -> bool:
    if not v.labelled:
        return False
    x, y = v.bottom_centre
    return cv2.pointPolygonTest(zone, (x, y - 1), False) >= 0


def truth_document(
    clip: LiftClip,
    seen: dict[str, list[float]],
    boxes: dict[str, list[list[float]]],
    video: str,
    camera: str,
) -> dict[str, Any]:
    """``seen``: per mover, the frame times its box's bottom centre was in the zone; ``boxes``: per mover,
    ``[t, x1, y1, x2, y2]`` for every frame it was labelled (visible enough to be asked of a detector)."""
    episodes = []
    for e in clip.episodes:
        entries = []
        for m in e.movers:
            times = seen.get(m.id, [])
            entries.append(
                {
                    "id": m.id,
                    "class": m.thing.cls,
                    "entered": bool(times),
                    "enter_s": round(min(times), 2) if times else None,
                    "exit_s": round(max(times), 2) if times else None,
                    "boxes": boxes.get(m.id, []),
                }
            )
        episodes.append(
            {
                "kind": e.kind,
                "start_s": round(e.start_s, 2),
                "end_s": round(e.end_s, 2),
                "doors": [[round(a, 2), round(b, 2)] for a, b in e.doors],
                "entries": entries,
            }
        )
    return {
        "clip": video,
        "camera": camera,
        "fps": clip.fps,
        "analysed_fps": ANALYSED_FPS,
        "duration_s": clip.duration_s,
        "zone": ZONE_NAME,
        "episodes": episodes,
    }


def camera_document(camera_id: str, clip: LiftClip, video: Path) -> dict[str, Any]:
    return {
        "id": camera_id,
        "kind": "elevator",
        "source": video.name,
        "building": "B-SYN",
        "detectors": ["ebike_indoor"],
        "fps": ANALYSED_FPS,
        "mask": [],
        "zones": [{"name": ZONE_NAME, "polygon": clip.car.zone_polygon()}],
    }


def write_clip(
    clip: LiftClip, out_dir: Path, name: str, seed: int, progress: Callable[[float], None] | None = None
) -> ClipFiles:
    """Render ``clip`` to ``out_dir/name.mp4`` (or ``.avi``) with its camera YAML and truth JSON."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / name
    car = clip.car
    writer, video = open_writer(stem, clip.fps, (car.camera.width, car.camera.height))
    zone = np.asarray(car.zone_polygon(), np.float32)
    seen: dict[str, list[float]] = {}
    boxes: dict[str, list[list[float]]] = {}
    total = round(clip.duration_s * clip.fps)
    try:
        for i, frame in enumerate(render(clip, seed)):
            writer.write(frame.image)
            for mid, v in frame.visible.items():
                if _in_zone(v, zone):
                    seen.setdefault(mid, []).append(frame.t)
                if v.labelled:
                    boxes.setdefault(mid, []).append([round(frame.t, 3), *v.bbox])
            if progress is not None and i % 50 == 0:
                progress(i / total)
    finally:
        writer.release()
    camera = stem.with_suffix(".camera.yaml")
    camera.write_text(
        yaml.safe_dump(camera_document(f"cam-syn-{name}", clip, video), sort_keys=False), encoding="utf-8"
    )
    truth = stem.with_suffix(".truth.json")
    truth.write_text(
        json.dumps(truth_document(clip, seen, boxes, video.name, camera.name), indent=1), encoding="utf-8"
    )
    return ClipFiles(video, camera, truth)


def clip_kinds(rng: np.random.Generator, episodes: int = 3) -> list[str]:
    """An e-bike in every clip, the rest drawn from all kinds (bicycles and strollers most)."""
    rest = rng.choice(
        ["bicycle", "stroller", "people", "parcels", "ebike"],
        size=episodes - 1,
        p=[0.3, 0.3, 0.15, 0.15, 0.1],
    )
    kinds = ["ebike", *(str(k) for k in rest)]
    rng.shuffle(kinds)
    return kinds


def write_elevator_set(
    out: Path,
    seed: int,
    clips: int = 3,
    progress: Callable[[str, float], None] | None = None,
    kinds: list[str] | None = None,
    fps: float = VIDEO_FPS,
) -> list[ClipFiles]:
    """``clips`` lift clips of 3 episodes each (or exactly ``kinds``), named ``elevator-SEED-K``."""
    written = []
    for k in range(clips):
        rng = np.random.default_rng([7, seed, k])
        clip = make_clip(rng, kinds if kinds is not None else clip_kinds(rng), fps)
        name = f"elevator-{seed}-{k}"
        log.info("rendering lift clip", extra=fields(clip=name, seconds=clip.duration_s))
        report = None
        if progress is not None:

            def report(fraction: float, name: str = name) -> None:
                progress(name, fraction)

        written.append(write_clip(clip, out, name, seed * 1000 + k, report))
    return written
