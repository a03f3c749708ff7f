"""Labelled stills to train the indoor detector: many things per picture, placed at random, YOLO layout.

``DIR/images/{train,val}/*.jpg`` with ``DIR/labels/{train,val}/*.txt`` (one ``class cx cy w h`` line per
visible thing, normalised) and ``DIR/data.yaml``. File names start with the scene and the seed, so the
lift and the corridor sets (and several seeds) can share one directory. Every tenth picture goes to
``val``. A still is a function of (scene, seed, index) only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml
from shapely.geometry import Polygon

from edge.synth import corridor_scene
from edge.synth.camera3d import PinholeCamera
from edge.synth.corridor_draw import base_image
from edge.synth.indoor_compose import Scenery, Visible, far_to_near, paint
from edge.synth.indoor_effects import Look, apply_look
from edge.synth.indoor_objects import CLASSES, Placed, Thing, sample_thing
from edge.synth.indoor_things import Person
from edge.synth.lift_car import LiftCar

SCENES = ("elevator", "corridor")
VAL_EVERY = 10
VEHICLES = ("ebike", "bicycle", "stroller")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Still:
    image: np.ndarray
    visible: list[Visible]

    def label_lines(self) -> list[str]:
        h, w = self.image.shape[:2]
        lines = []
        for v in self.visible:
            if not v.labelled:
                continue
            x1, y1, x2, y2 = v.bbox
            lines.append(
                f"{v.placed.class_id} {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} "
                f"{(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"
            )
        return lines


def footprint(thing: Thing, x: float, z: float, yaw: float, pad: float = 0.03) -> Polygon:
    c, s = math.cos(yaw), math.sin(yaw)
    hl, hw = thing.length / 2 + pad, thing.width / 2 + pad
    return Polygon(
        [(x + u * s + w * c, z + u * c - w * s) for u, w in ((hl, hw), (hl, -hw), (-hl, -hw), (-hl, hw))]
    )


class Floor:
    """Free floor space: a new thing may not stand inside another one."""

    def __init__(self, area: Polygon) -> None:
        self.area = area
        self.taken: list[Polygon] = []

    def try_place(
        self, thing: Thing, rng: np.random.Generator, yaw_of: Callable[[], float], tries: int = 40
    ) -> Placed | None:
        minx, minz, maxx, maxz = self.area.bounds
        for _ in range(tries):
            x, z, yaw = float(rng.uniform(minx, maxx)), float(rng.uniform(minz, maxz)), yaw_of()
            fp = footprint(thing, x, z, yaw)
            if self.area.contains(fp) and not any(fp.intersects(t) for t in self.taken):
                self.taken.append(fp)
                return Placed(thing, x, z, yaw)
        return None


def _vehicle_yaw(rng: np.random.Generator) -> Callable[[], float]:
    """Wheeled things are pushed in along the car's depth, or stand diagonal, or anyhow."""

    def yaw() -> float:
        if rng.random() < 0.6:
            return float(rng.choice([0.0, math.pi]) + rng.normal(0, 0.35))
        return float(rng.uniform(0, 2 * math.pi))

    return yaw


def _any_yaw(rng: np.random.Generator) -> Callable[[], float]:
    return lambda: float(rng.uniform(0, 2 * math.pi))


def _pusher(vehicle: Placed, rng: np.random.Generator) -> Placed:
    """A person standing beside a wheeled thing's handlebar, hands forward."""
    v = vehicle.thing
    side = 1.0 if rng.random() < 0.5 else -1.0
    u = v.length / 2 - 0.55 if v.cls != "stroller" else -v.length / 2 - 0.3
    w = side * (v.width / 2 + 0.2) if v.cls != "stroller" else 0.0
    c, s = math.cos(vehicle.yaw), math.sin(vehicle.yaw)
    person = Person.sample(rng, pushing=True)
    return Placed(person, vehicle.x + u * s + w * c, vehicle.z + u * c - w * s, vehicle.yaw)


def _vehicle_mix(rng: np.random.Generator) -> list[str]:
    n = int(rng.choice([0, 1, 2], p=[0.03, 0.42, 0.55]))
    chosen = list(rng.choice(VEHICLES, size=n, replace=False, p=[0.37, 0.36, 0.27])) if n else []
    if n == 1 and chosen[0] == "ebike" and rng.random() < 0.1:
        chosen.append("ebike")
    return [str(c) for c in chosen]


def _fill(
    floor: Floor, rng: np.random.Generator, vehicles: list[str], counts: dict[str, int], pushers: float
) -> list[Placed]:
    placed: list[Placed] = []
    for cls in vehicles:
        item = floor.try_place(sample_thing(cls, rng), rng, _vehicle_yaw(rng))
        if item is None:
            continue
        placed.append(item)
        if rng.random() < pushers:
            person = _pusher(item, rng)
            fp = footprint(person.thing, person.x, person.z, person.yaw, pad=0.0)
            if floor.area.contains(fp) and not any(fp.intersects(t) for t in floor.taken[:-1]):
                floor.taken.append(fp)
                placed.append(person)
    for cls, n in counts.items():
        for _ in range(n):
            thing = sample_thing(cls, rng)
            item = floor.try_place(thing, rng, _any_yaw(rng))
            if item is not None:
                placed.append(item)
    return placed


def _counts(
    rng: np.random.Generator, people: list[float], boxes: int, bags: int, furniture: float
) -> dict[str, int]:
    return {
        "person": int(rng.choice(len(people), p=people)),
        "box": int(rng.integers(0, boxes + 1)),
        "bag": int(rng.integers(0, bags + 1)),
        "furniture": int(rng.random() < furniture),
    }


def lift_still(rng: np.random.Generator) -> Still:
    car = LiftCar.sample(rng)
    opened = 1.0 if rng.random() < 0.7 else float(rng.uniform(0.0, 1.0))
    car_floor = Polygon(
        [
            (0.02, 0.02),
            (car.width - 0.02, 0.02),
            (car.width - 0.02, car.depth - 0.02),
            (0.02, car.depth - 0.02),
        ]
    )
    doorway = Polygon(
        [
            (car.door_x0 + 0.05, -0.9),
            (car.door_x1 - 0.05, -0.9),
            (car.door_x1 - 0.05, 0.1),
            (car.door_x0 + 0.05, 0.1),
        ]
    )
    inside = Floor(
        car_floor.union(doorway) if opened > 0.8 else car_floor
    )  # wheels may still be in the doorway
    placed = _fill(inside, rng, _vehicle_mix(rng), _counts(rng, [0.2, 0.4, 0.3, 0.1], 2, 2, 0.1), pushers=0.5)
    landing: list[Placed] = []
    if opened > 0.3 and rng.random() < 0.6:
        out = Floor(
            Polygon(
                [
                    (car.door_x0 - 1.2, -2.3),
                    (car.door_x1 + 1.2, -2.3),
                    (car.door_x1 + 1.2, -0.25),
                    (car.door_x0 - 1.2, -0.25),
                ]
            )
        )
        extra = [str(rng.choice(CLASSES, p=[0.25, 0.2, 0.15, 0.2, 0.08, 0.07, 0.05]))]
        landing = _fill(
            out,
            rng,
            [c for c in extra if c in VEHICLES],
            {c: 1 for c in extra if c not in VEHICLES},
            pushers=0.4,
        )
    image = np.zeros((car.camera.height, car.camera.width, 3), np.uint8)
    car.landing(image)
    layers: list[Placed | Scenery] = [
        *far_to_near(car.camera, landing),
        car.shell(opened),
        *far_to_near(car.camera, placed),
    ]
    visible = paint(image, car.camera, layers)
    return Still(apply_look(image, Look.sample(rng), rng), visible)


def corridor_camera() -> PinholeCamera:
    """The corridor clips' camera (``corridor_scene.project``) as a ``PinholeCamera``."""
    return PinholeCamera.level(
        corridor_scene.CAM_HEIGHT,
        corridor_scene.FOCAL,
        (corridor_scene.W, corridor_scene.H),
        corridor_scene.HORIZON_Y,
    )


def corridor_still(rng: np.random.Generator) -> Still:
    camera = corridor_camera()
    image = base_image()
    tint = rng.uniform(0.85, 1.15, 3).astype(np.float32)
    image = np.clip(image.astype(np.float32) * tint, 0, 255).astype(np.uint8)
    hw = corridor_scene.HALF_WIDTH - 0.05
    floor = Floor(Polygon([(-hw, 2.7), (hw, 2.7), (hw, 10.0), (-hw, 10.0)]))
    vehicles = _vehicle_mix(rng) + ([str(rng.choice(VEHICLES))] if rng.random() < 0.3 else [])
    placed = _fill(floor, rng, vehicles, _counts(rng, [0.25, 0.35, 0.25, 0.15], 3, 2, 0.35), pushers=0.3)
    visible = paint(image, camera, far_to_near(camera, placed))
    return Still(apply_look(image, Look.sample(rng), rng), visible)


RENDER = {"elevator": lift_still, "corridor": corridor_still}


def render_still(scene: str, seed: int, index: int) -> Still:
    return RENDER[scene](np.random.default_rng([SCENES.index(scene), seed, index]))


def data_yaml(out: Path) -> dict[str, object]:
    return {
        "path": str(out.resolve()),
        "train": "images/train",
        "val": "images/val",
        "names": dict(enumerate(CLASSES)),
    }


def split_of(index: int) -> str:
    return "val" if index % VAL_EVERY == VAL_EVERY - 1 else "train"


def write_stills(
    out: Path, scene: str, seed: int, count: int, progress: Progress | None = None
) -> dict[str, int]:
    """Write ``count`` labelled stills of ``scene``; returns how many pictures contain each class."""
    for split in ("train", "val"):
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "labels" / split).mkdir(parents=True, exist_ok=True)
    (out / "data.yaml").write_text(yaml.safe_dump(data_yaml(out), sort_keys=False), encoding="utf-8")
    present = dict.fromkeys(CLASSES, 0)
    for i in range(count):
        still = render_still(scene, seed, i)
        name = f"{scene}-{seed}-{i:05d}"
        split = split_of(i)
        cv2.imwrite(str(out / "images" / split / f"{name}.jpg"), still.image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        lines = still.label_lines()
        (out / "labels" / split / f"{name}.txt").write_text(
            "".join(f"{x}\n" for x in lines), encoding="utf-8"
        )
        for cls in {CLASSES[int(x.split()[0])] for x in lines}:
            present[cls] += 1
        if progress is not None and (i % 50 == 49 or i == count - 1):
            progress(i + 1, count)
    return present
