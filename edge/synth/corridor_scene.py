"""The corridor a synthetic clip shows, as data: the camera's geometry (``project``), the people who walk
through or stand talking (``Walker``), the items put down and taken away (``Item``), doors and lighting;
and ``make_scene``, ``add_talkers``: a random scene from a seed."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

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
