"""Synthetic corridor clips with ground truth, for the clutter rule's evaluation and for demos.

A camera looks down a corridor (pinhole perspective: floor, walls, ceiling lights, doors that open and
close). People walk through, some pausing; some of them put an item down and someone later takes it
away — some items stay longer than the zone's ``dwell_s``, some shorter. In about half the clips two
neighbours meet in the fire lane and stand talking for longer than the dwell: people, not clutter.
People are drawn as the indoor detector's 3D ``Person`` (``indoor_things``), walking or standing.
Lighting drifts slowly (global gain and a side-to-side gradient) and every frame has sensor noise.
Each clip comes with the camera config (YAML) and a ground-truth JSON that says which items must raise
an alert and since when.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np
import yaml

from edge.synth.camera3d import PinholeCamera
from edge.synth.draw3d import Canvas, Painter
from edge.synth.indoor_things import Person
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

W, H = 640, 360
FOCAL = 373.0  # px; the corridor (3 m wide) fills the frame width 2.5 m in front of the camera
HORIZON_Y = 120.0
CAM_HEIGHT = 1.6  # m
HALF_WIDTH = 1.5  # m
Z_NEAR, Z_FAR = 2.5, 20.0  # m, visible floor
ZONE_Z = (2.6, 16.0)  # the fire lane: the floor from the camera to 16 m


ANALYSED_FPS = 5.0  # the clips are rendered at 10 fps; their cameras analyse 5 of them a second
GAIT_M = 1.4  # metres walked per full gait cycle (two steps)


def project(x_m: float, y_m: float, z_m: float) -> tuple[float, float]:
    """World (lateral, height above floor, distance) in metres → pixel."""
    return W / 2 + FOCAL * x_m / z_m, HORIZON_Y + FOCAL * (CAM_HEIGHT - y_m) / z_m


def floor_quad(x0: float, x1: float, z0: float, z1: float) -> list[list[float]]:
    return [
        list(project(x0, 0, z0)),
        list(project(x1, 0, z0)),
        list(project(x1, 0, z1)),
        list(project(x0, 0, z1)),
    ]


def zone_polygon() -> list[list[float]]:
    return [[round(x, 1), round(y, 1)] for x, y in floor_quad(-HALF_WIDTH, HALF_WIDTH, *ZONE_Z)]


@dataclass(frozen=True)
class Walker:
    """A person crossing the corridor at constant speed, optionally pausing at ``pause_z``."""

    enter_s: float
    z_from: float
    z_to: float
    x_m: float
    speed: float  # m/s
    # not used for drawing (``walker_look``); still sampled, so each seed keeps its scene
    color: tuple[int, int, int]
    pause_z: float | None = None
    pause_s: float = 0.0

    @property
    def exit_s(self) -> float:
        return self.enter_s + abs(self.z_to - self.z_from) / self.speed + self.pause_s

    def position(self, t: float) -> float | None:
        """Distance z at time t, or None when not in the corridor."""
        if not self.enter_s <= t <= self.exit_s:
            return None
        direction = 1.0 if self.z_to > self.z_from else -1.0
        walked = (t - self.enter_s) * self.speed
        if self.pause_z is not None:
            to_pause = abs(self.pause_z - self.z_from)
            if walked > to_pause:
                walked = max(to_pause, walked - self.pause_s * self.speed)
        return self.z_from + direction * walked


@dataclass(frozen=True)
class Item:
    id: str
    placed_s: float
    removed_s: float | None  # None: still there at the end of the clip
    x_m: float
    z_m: float
    width_m: float
    height_m: float
    color: tuple[int, int, int]

    def present(self, t: float) -> bool:
        return t >= self.placed_s and (self.removed_s is None or t < self.removed_s)

    def bbox(self) -> list[float]:
        x0, y0 = project(self.x_m - self.width_m / 2, self.height_m, self.z_m + 0.3)
        x1, y1 = project(self.x_m + self.width_m / 2, 0, self.z_m)
        return [round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)]


@dataclass(frozen=True)
class Door:
    side: float  # -1 left wall, +1 right wall
    z0: float
    z1: float
    open_intervals: list[tuple[float, float]]


@dataclass(frozen=True)
class Lighting:
    gain_amplitude: float
    gain_period_s: float
    gain_phase: float
    gradient_amplitude: float
    gradient_period_s: float
    noise_sigma: float

    def field(self, t: float, columns: np.ndarray) -> np.ndarray:
        gain = 1 + self.gain_amplitude * math.sin(2 * math.pi * t / self.gain_period_s + self.gain_phase)
        slope = self.gradient_amplitude * math.sin(2 * math.pi * t / self.gradient_period_s)
        return (gain * (1 + slope * (columns / W - 0.5))).astype(np.float32)


@dataclass
class CorridorScene:
    duration_s: float
    fps: float
    dwell_s: float
    lighting: Lighting
    walkers: list[Walker] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    doors: list[Door] = field(default_factory=list)
    talkers: list[tuple[float, float]] = field(default_factory=list)  # two people standing: from, to


def _base_image() -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:] = (150, 150, 155)  # ceiling
    far = [project(-HALF_WIDTH, 0, Z_FAR), project(HALF_WIDTH, 0, Z_FAR)]
    far_top = [project(-HALF_WIDTH, 3.0, Z_FAR), project(HALF_WIDTH, 3.0, Z_FAR)]
    near_z = 0.8
    left_wall = [
        project(-HALF_WIDTH, 0, near_z),
        project(-HALF_WIDTH, 0, Z_FAR),
        far_top[0],
        project(-HALF_WIDTH, 3, near_z),
    ]
    right_wall = [
        project(HALF_WIDTH, 0, near_z),
        project(HALF_WIDTH, 0, Z_FAR),
        far_top[1],
        project(HALF_WIDTH, 3, near_z),
    ]
    floor = [project(-HALF_WIDTH, 0, near_z), project(HALF_WIDTH, 0, near_z), far[1], far[0]]
    for poly, colour in (
        (left_wall, (170, 180, 190)),
        (right_wall, (160, 170, 182)),
        (floor, (95, 110, 120)),
    ):
        cv2.fillPoly(img, [np.round(np.asarray(poly)).astype(np.int32)], colour)
    cv2.rectangle(
        img,
        np.round(far_top[0]).astype(int).tolist(),
        np.round(far[1]).astype(int).tolist(),
        (120, 125, 130),
        -1,
    )
    for z in np.arange(3.0, Z_FAR, 1.0):  # floor tile joints
        a, b = project(-HALF_WIDTH, 0, z), project(HALF_WIDTH, 0, z)
        cv2.line(img, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), (85, 98, 108), 1)
    for z in (4.0, 8.0, 12.0, 16.0):  # ceiling lights
        quad = [
            project(-0.4, 2.99, z),
            project(0.4, 2.99, z),
            project(0.4, 2.99, z + 0.6),
            project(-0.4, 2.99, z + 0.6),
        ]
        cv2.fillPoly(img, [np.round(np.asarray(quad)).astype(np.int32)], (235, 240, 240))
    return img


def _door_quad(door: Door) -> np.ndarray:
    x = door.side * HALF_WIDTH
    quad = [
        project(x, 0, door.z0),
        project(x, 0, door.z1),
        project(x, 2.1, door.z1),
        project(x, 2.1, door.z0),
    ]
    return np.round(np.asarray(quad)).astype(np.int32)


def _draw_box(img: np.ndarray, item: Item) -> None:
    x0, y_top = project(item.x_m - item.width_m / 2, item.height_m, item.z_m)
    x1, y_bottom = project(item.x_m + item.width_m / 2, 0, item.z_m)
    _, y_back_top = project(0, item.height_m, item.z_m + 0.3)
    dark = tuple(int(c * 0.7) for c in item.color)
    cv2.rectangle(img, (round(x0), round(y_back_top)), (round(x1), round(y_top)), dark, -1)  # lid
    cv2.rectangle(img, (round(x0), round(y_top)), (round(x1), round(y_bottom)), item.color, -1)


CAMERA = PinholeCamera.level(CAM_HEIGHT, FOCAL, (W, H), HORIZON_Y)  # ``project`` as a 3D camera


def walker_look(seed: int, index: int) -> Person:
    """What walker ``index`` of a clip looks like: the 3D person the indoor detector learns (``Person``:
    head, torso, swinging arms and legs, plain or two-coloured clothes, sometimes a backpack), never
    pushing anything. Drawn from its own random stream, so a seed's scene (who walks when, which items
    stand where) does not depend on how people are drawn."""
    person = Person.sample(np.random.default_rng([seed, 17, index]))
    return Person(
        person.height, person.top, person.trousers, person.skin, person.hair, 0.0, 0.0, False, person.backpack
    )


def _draw_person(img: np.ndarray, walker: Walker, look: Person, z: float, t: float) -> np.ndarray:
    """A walking person, facing the way they walk; arms and legs swing with the distance walked, and
    stand still while they pause. Returns the person's own pixels (a mask)."""
    walking = walker.position(t + 0.05) != z
    walked = abs(z - walker.z_from)
    posed = look.at_phase(2 * math.pi * walked / GAIT_M, 0.35 if walking else 0.0)
    yaw = 0.0 if walker.z_to > walker.z_from else math.pi
    canvas = Canvas.blank_mask(img)
    posed.draw(Painter(canvas, CAMERA, (walker.x_m, 0.0, z), yaw))
    return canvas.mask


class CorridorRenderer:
    def __init__(self, scene: CorridorScene, seed: int) -> None:
        self.scene = scene
        self._base = _base_image()
        self._rng = np.random.default_rng(seed)
        self._looks = [walker_look(seed, i) for i in range(len(scene.walkers))]
        self._columns = np.arange(W, dtype=np.float32)[None, :, None]

    def frame(self, t: float) -> np.ndarray:
        img = self._base.copy()
        for door in self.scene.doors:
            if any(a <= t < b for a, b in door.open_intervals):
                cv2.fillPoly(img, [_door_quad(door)], (45, 45, 50))
            else:
                cv2.fillPoly(img, [_door_quad(door)], (90, 120, 150))
        drawables: list[tuple[float, Callable[[], object]]] = []
        for item in self.scene.items:
            if item.present(t):
                drawables.append((item.z_m, lambda item=item: _draw_box(img, item)))  # type: ignore[misc]
        for walker, look in zip(self.scene.walkers, self._looks, strict=True):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR:
                drawables.append(
                    (z, lambda walker=walker, look=look, z=z: _draw_person(img, walker, look, z, t))  # type: ignore[misc]
                )
        for _, draw in sorted(drawables, key=lambda d: -d[0]):
            draw()
        light = self.scene.lighting.field(t, self._columns)
        noise = self._rng.normal(0.0, self.scene.lighting.noise_sigma, (H, W, 1)).astype(np.float32)
        out = img.astype(np.float32) * light + noise
        return np.clip(out, 0, 255).astype(np.uint8)

    def people(self, t: float) -> np.ndarray:
        """The pixels people show at ``t`` (items in front of them hidden), as ``frame`` draws them: the
        labels a person silhouette model learns from. Draws on a scratch image; the frames' noise is
        not touched."""
        return np.asarray(self._owners(t) >= 0)

    def people_apart(self, t: float) -> list[np.ndarray]:
        """``people`` one person at a time: the pixels each person who shows at ``t`` shows (items and
        people in front of them hidden), in the scene's order. What an ideal person detector and
        silhouette model would say (``edge.synth.truth_people``)."""
        owners = self._owners(t)
        return [owners == i for i in np.unique(owners) if i >= 0]

    def _owners(self, t: float) -> np.ndarray:
        """Per pixel, the index of the person ``frame`` draws there last (-1: nobody, or an item in front)."""
        scratch = np.zeros((H, W, 3), np.uint8)
        owners = np.full((H, W), -1, np.int32)
        layers: list[tuple[float, Callable[[], None]]] = []
        for item in self.scene.items:
            if item.present(t):

                def hide(item: Item = item) -> None:
                    owners[item_pixels(item)] = -1

                layers.append((item.z_m, hide))
        for i, (walker, look) in enumerate(zip(self.scene.walkers, self._looks, strict=True)):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR:

                def show(i: int = i, walker: Walker = walker, look: Person = look, z: float = z) -> None:
                    owners[_draw_person(scratch, walker, look, z, t) > 0] = i

                layers.append((z, show))
        for _, draw in sorted(layers, key=lambda d: -d[0]):
            draw()
        return owners


def item_pixels(item: Item) -> np.ndarray:
    """The frame pixels an item covers, as ``frame`` draws it (bool, frame size)."""
    scratch = np.zeros((H, W, 3), np.uint8)
    _draw_box(scratch, replace(item, color=(255, 255, 255)))
    return scratch[..., 0] > 0


SEEN_SHARE = 0.25  # of an item's pixels in view: enough to tell it has come, and that it is still there
SINCE_TOLERANCE_S = 3.0  # how close to its placement an item's alert must date it


@dataclass(frozen=True)
class Sighting:
    """When the camera could see an item: the first and last analysed frame with at least ``SEEN_SHARE``
    of it in view (people in front of it hide it). None: never. ``in_view``: the share of the analysed
    frames of its stay with that much of it in view, to tell an item people passed from one they hid."""

    first_s: float | None
    last_s: float | None
    in_view: float


def item_sightings(scene: CorridorScene, render_seed: int, fps: float) -> dict[str, Sighting]:
    """What a camera analysing ``fps`` frames a second could see of each item, drawn with the renderer's
    own geometry (``render_seed`` gives the people their looks, as in ``CorridorRenderer``).

    Ground truth says which items must be reported; this says which of them a camera could report as
    the rule is asked to: seen within ``SINCE_TOLERANCE_S`` of its placement (else nobody can date it)
    and seen again after the dwell (else nobody can tell it stayed)."""
    looks = [walker_look(render_seed, i) for i in range(len(scene.walkers))]
    scratch = np.zeros((H, W, 3), np.uint8)
    own = {item.id: item_pixels(item) for item in scene.items}
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    frames = dict.fromkeys(own, 0)
    in_view = dict.fromkeys(own, 0)
    for i in range(round(scene.duration_s * fps)):
        t = i / fps
        present = [item for item in scene.items if item.present(t)]
        if not present:
            continue
        deepest = max(item.z_m for item in present)
        people: list[tuple[float, np.ndarray]] = []
        for walker, look in zip(scene.walkers, looks, strict=True):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR and z <= deepest:
                people.append((z, _draw_person(scratch, walker, look, z, t) > 0))
        for item in present:
            frames[item.id] += 1
            pixels = own[item.id]
            hidden = np.zeros_like(pixels)
            for z, mask in people:
                if z <= item.z_m:  # drawn after the item (nearer, or beside it): in front of it
                    hidden |= mask
            if np.count_nonzero(pixels & ~hidden) >= SEEN_SHARE * np.count_nonzero(pixels):
                first.setdefault(item.id, round(t, 2))
                last[item.id] = round(t, 2)
                in_view[item.id] += 1
    return {
        item.id: Sighting(first.get(item.id), last.get(item.id), in_view[item.id] / max(1, frames[item.id]))
        for item in scene.items
    }


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A colour that stands out from the grey-blue floor (items in corridors are boxes, bags, bikes)."""
    palette = [
        (30, 60, 170),
        (40, 150, 220),
        (30, 30, 30),
        (200, 200, 210),
        (60, 140, 60),
        (150, 60, 140),
        (20, 90, 200),
    ]
    return palette[int(rng.integers(len(palette)))]


def _boxes_touch(a: list[float], b: list[float], margin: float) -> bool:
    return min(a[2], b[2]) + margin > max(a[0], b[0]) and min(a[3], b[3]) + margin > max(a[1], b[1])


def make_scene(
    rng: np.random.Generator,
    duration_s: float,
    dwell_s: float,
    n_items: int,
    fps: float = 10.0,
    strong_light: bool = False,
) -> CorridorScene:
    lighting = Lighting(
        gain_amplitude=float(rng.uniform(0.18, 0.25) if strong_light else rng.uniform(0.06, 0.15)),
        gain_period_s=float(rng.uniform(60, 120)),
        gain_phase=float(rng.uniform(0, 2 * math.pi)),
        gradient_amplitude=float(rng.uniform(0.05, 0.15)),
        gradient_period_s=float(rng.uniform(80, 160)),
        noise_sigma=float(rng.uniform(3.0, 5.0)),
    )
    scene = CorridorScene(duration_s=duration_s, fps=fps, dwell_s=dwell_s, lighting=lighting)
    # doors on the walls (outside the floor zone) open for a few seconds now and then
    for side, z0 in ((-1.0, 5.0), (1.0, 8.0), (-1.0, 11.0)):
        intervals = []
        t = float(rng.uniform(3, 20))
        while t < duration_s:
            length = float(rng.uniform(2, 6))
            intervals.append((t, t + length))
            t += length + float(rng.uniform(15, 40))
        scene.doors.append(Door(side=side, z0=z0, z1=z0 + 1.0, open_intervals=intervals))
    # passers-by, some pausing for a moment
    t = float(rng.uniform(0.5, 4))
    while t < duration_s:
        inbound = bool(rng.integers(2))
        pause = bool(rng.random() < 0.3)
        scene.walkers.append(
            Walker(
                enter_s=t,
                z_from=Z_FAR if inbound else Z_NEAR * 0.6,
                z_to=Z_NEAR * 0.6 if inbound else Z_FAR,
                x_m=float(rng.uniform(-0.9, 0.9)),
                speed=float(rng.uniform(1.0, 1.6)),
                color=_colour(rng),
                pause_z=float(rng.uniform(4, 12)) if pause else None,
                pause_s=float(rng.uniform(1.0, 4.0)) if pause else 0.0,
            )
        )
        t += float(rng.uniform(5, 14))
    # items: carried in by someone who stops, sets it down and walks on; later taken away
    # an item standing wholly or partly behind another one in the picture cannot be told apart from it
    # by any camera: slots whose pictures would overlap an earlier item's are skipped
    slots = [(x, z) for z in (4.0, 5.5, 7.0, 8.5, 10.0) for x in (-0.85, 0.0, 0.85)]
    taken: list[list[float]] = []
    k = 0
    for slot in rng.permutation(len(slots)):
        if k >= n_items:
            break
        x_m, z_m = slots[int(slot)]
        x_m += float(rng.uniform(-0.1, 0.1))
        width_m = float(rng.uniform(0.35, 0.7))
        height_m = float(rng.uniform(0.3, 0.7))
        probe = Item("probe", 0.0, None, x_m, z_m, width_m, height_m, (0, 0, 0)).bbox()
        if any(_boxes_touch(probe, other, margin=4.0) for other in taken):
            continue
        taken.append(probe)
        placed = float(rng.uniform(8, max(9, duration_s - dwell_s - 12)))
        long_stay = bool(rng.random() < 0.55)
        if long_stay:
            stay = float(rng.uniform(dwell_s + 6, dwell_s + 60))
            removed: float | None = placed + stay if placed + stay < duration_s - 3 else None
        else:
            removed = placed + float(rng.uniform(3, max(4, dwell_s - 6)))
        item = Item(
            id=f"item-{k}",
            placed_s=round(placed, 2),
            removed_s=round(removed, 2) if removed is not None else None,
            x_m=x_m,
            z_m=z_m,
            width_m=width_m,
            height_m=height_m,
            color=_colour(rng),
        )
        scene.items.append(item)
        k += 1
        for moment in (item.placed_s, item.removed_s):
            if moment is None:
                continue
            speed = float(rng.uniform(1.0, 1.4))
            scene.walkers.append(
                Walker(
                    enter_s=moment - (Z_FAR - z_m) / speed - 0.8,
                    z_from=Z_FAR,
                    z_to=Z_NEAR * 0.6,
                    x_m=x_m + 0.45 * (1 if x_m <= 0 else -1),
                    speed=speed,
                    color=_colour(rng),
                    pause_z=z_m,
                    pause_s=1.6,
                )
            )
    return scene


def add_talkers(scene: CorridorScene, rng: np.random.Generator) -> None:
    """Half the time: two people, one from each end, meet in the fire lane and stand talking for longer
    than the dwell, then walk on. Nothing to report; a rule that tells people from things only by how
    they hold still reports them. Drawn from its own stream (``rng``), so the rest of a seed's scene does
    not change with it."""
    if rng.random() >= 0.5:
        return
    z_m = float(rng.uniform(5.0, 11.0))
    x_m = float(rng.uniform(-0.5, 0.5))
    stand_s = float(rng.uniform(scene.dwell_s + 5, scene.dwell_s + 30))
    meet_s = float(rng.uniform(20.0, max(21.0, scene.duration_s - stand_s - 10)))
    for side, inbound in ((-0.3, True), (0.3, False)):
        speed = float(rng.uniform(1.0, 1.3))
        z_from, z_to = (Z_FAR, Z_NEAR * 0.6) if inbound else (Z_NEAR * 0.6, Z_FAR)
        scene.walkers.append(
            Walker(
                enter_s=meet_s - abs(z_m - z_from) / speed,
                z_from=z_from,
                z_to=z_to,
                x_m=x_m + side,
                speed=speed,
                color=(0, 0, 0),
                pause_z=z_m,
                pause_s=stand_s,
            )
        )
    scene.talkers.append((round(meet_s, 2), round(meet_s + stand_s, 2)))


def ground_truth(
    scene: CorridorScene, clip: str, camera: str, sightings: dict[str, Sighting]
) -> dict[str, object]:
    """``expect_alert``: the item stayed ``dwell_s`` or longer. ``observable``: and a camera could see it
    close enough to its placement to date it and again once the dwell was over (``item_sightings``)."""
    items = []
    for item in scene.items:
        end = item.removed_s if item.removed_s is not None else scene.duration_s
        expect = end - item.placed_s >= scene.dwell_s
        seen = sightings[item.id]
        items.append(
            {
                "id": item.id,
                "placed_s": item.placed_s,
                "removed_s": item.removed_s,
                "bbox": item.bbox(),
                "zone": "fire_lane",
                "expect_alert": expect,
                "first_seen_s": seen.first_s,
                "last_seen_s": seen.last_s,
                "in_view": round(seen.in_view, 3),
                "observable": expect
                and seen.first_s is not None
                and seen.last_s is not None
                and seen.first_s <= item.placed_s + SINCE_TOLERANCE_S
                and seen.last_s >= item.placed_s + scene.dwell_s,
            }
        )
    return {
        "clip": clip,
        "camera": camera,
        "fps": scene.fps,
        "duration_s": scene.duration_s,
        "dwell_s": scene.dwell_s,
        "seen_share": SEEN_SHARE,  # first_seen_s / last_seen_s: this much of the item in view
        "items": items,
        "people": [{"enter_s": round(w.enter_s, 2), "exit_s": round(w.exit_s, 2)} for w in scene.walkers],
        "talkers": [{"from_s": a, "to_s": b} for a, b in scene.talkers],
        "lighting": asdict(scene.lighting),
    }


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
