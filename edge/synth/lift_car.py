"""A lift car seen from a camera in a rear ceiling corner, looking at the door wall.

World axes (metres): ``x`` across the car (0 = the left wall), ``y`` up, ``z`` from the door wall (0) to
the back wall (``depth``). The door opening is in the door wall; beyond it (``z < 0``) is the landing.
The car's walls are brushed metal with panel seams, a handrail runs along the left wall, and the doors
slide open from the middle. Everything is drawn through ``PinholeCamera``, so the car-floor zone of the
camera config is the projection of the same floor rectangle things stand on.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from shapely.geometry import Polygon, box

from edge.synth.camera3d import PinholeCamera
from edge.synth.draw3d import Canvas, Colour, scaled
from edge.synth.indoor_compose import Scenery

W, H = 640, 480
LANDING_DEPTH = 2.6


@dataclass(frozen=True)
class LiftCar:
    width: float
    depth: float
    height: float
    door_x0: float
    door_x1: float
    door_h: float
    metal: Colour
    floor: Colour
    floor_tiles: bool
    landing_floor: Colour
    landing_wall: Colour
    door_colour: Colour
    handrail: bool
    camera: PinholeCamera
    texture_seed: int

    @classmethod
    def sample(cls, rng: np.random.Generator, min_depth: float | None = None) -> LiftCar:
        """A car; ``min_depth`` (clips) leaves room to push a bike in straight."""
        width = float(rng.uniform(1.5, 1.9))
        depth = float(rng.uniform(1.7, 2.4) if min_depth is None else rng.uniform(min_depth, 2.5))
        height = float(rng.uniform(2.3, 2.5))
        door_w = float(rng.uniform(0.85, 1.05))
        door_x0 = float(rng.uniform(0.12, width - door_w - 0.12))
        tone = rng.random()
        metal: Colour = (175, 175, 178) if tone < 0.5 else (120, 165, 195) if tone < 0.75 else (95, 95, 100)
        metal = scaled(metal, float(rng.uniform(0.85, 1.1)))
        floor_g = int(rng.integers(40, 140))
        floor: Colour = (floor_g + int(rng.integers(-15, 15)), floor_g, floor_g + int(rng.integers(-10, 25)))
        cam_pos = (
            width - float(rng.uniform(0.06, 0.15)),
            height - float(rng.uniform(0.04, 0.1)),
            depth - float(rng.uniform(0.06, 0.15)),
        )
        target = (
            float(rng.uniform(0.3, 0.5)) * width,
            float(rng.uniform(0.2, 0.6)),
            float(rng.uniform(0.0, 0.15)) * depth,
        )
        camera = PinholeCamera.looking_at(
            cam_pos, target, float(rng.uniform(250, 290)), (W, H), float(rng.uniform(-0.04, 0.04))
        )
        return cls(
            width=width,
            depth=depth,
            height=height,
            door_x0=door_x0,
            door_x1=door_x0 + door_w,
            door_h=float(rng.uniform(2.0, 2.15)),
            metal=metal,
            floor=floor,
            floor_tiles=bool(rng.random() < 0.6),
            landing_floor=scaled((150, 160, 170), float(rng.uniform(0.5, 1.1))),
            landing_wall=scaled((190, 200, 205), float(rng.uniform(0.6, 1.1))),
            door_colour=scaled(metal, float(rng.uniform(0.85, 1.05))),
            handrail=bool(rng.random() < 0.8),
            camera=camera,
            texture_seed=int(rng.integers(1 << 30)),
        )

    # --- geometry ----------------------------------------------------------------------------------

    def px(self, pts: list[tuple[float, float, float]]) -> np.ndarray:
        return self.camera.project(np.asarray(pts, np.float64))[0]

    def zone_polygon(self) -> list[list[float]]:
        """The car floor as seen in the picture, clipped to the frame (the ``ebike_indoor`` zone)."""
        floor = self.px([(0, 0, 0), (self.width, 0, 0), (self.width, 0, self.depth), (0, 0, self.depth)])
        clipped = Polygon(floor).intersection(box(0, 0, W - 1, H - 1))
        coords = list(clipped.exterior.coords)[:-1] if isinstance(clipped, Polygon) else []
        return [[round(float(x), 1), round(float(y), 1)] for x, y in coords]

    def inside(self, x: float, z: float, margin: float = 0.0) -> bool:
        return margin <= x <= self.width - margin and margin <= z <= self.depth - margin

    # --- drawing -----------------------------------------------------------------------------------

    def landing(self, image: np.ndarray) -> None:
        """What lies beyond the door: the landing's floor and far wall (drawn first, may be hidden)."""
        image[:] = self.landing_wall
        x0, x1 = -2.5, self.width + 2.5
        floor = self.px([(x0, 0, 0), (x1, 0, 0), (x1, 0, -LANDING_DEPTH), (x0, 0, -LANDING_DEPTH)])
        cv2.fillPoly(image, [np.round(floor).astype(np.int32)], self.landing_floor, cv2.LINE_AA)
        for z in np.arange(-0.6, -LANDING_DEPTH, -0.6):
            a, b = self.px([(x0, 0, z), (x1, 0, z)])
            cv2.line(image, _pt(a), _pt(b), scaled(self.landing_floor, 0.85), 1, cv2.LINE_AA)

    def shell(self, open_fraction: float) -> Scenery:
        """The car itself (walls, floor, handrail, doors open by ``open_fraction``) as one scenery layer."""

        def draw(canvas: Canvas) -> None:
            self._draw_shell(canvas, open_fraction)

        return draw

    def _draw_shell(self, canvas: Canvas, open_fraction: float) -> None:
        wd, dp, ht = self.width, self.depth, self.height
        x0, x1, dh = self.door_x0, self.door_x1, self.door_h
        rng = np.random.default_rng(self.texture_seed)
        faces: list[tuple[list[tuple[float, float, float]], Colour]] = [
            ([(0, 0, 0), (0, 0, dp), (0, ht, dp), (0, ht, 0)], scaled(self.metal, 0.92)),  # left wall
            ([(wd, 0, 0), (wd, 0, dp), (wd, ht, dp), (wd, ht, 0)], scaled(self.metal, 0.85)),  # right wall
            ([(0, ht, 0), (wd, ht, 0), (wd, ht, dp), (0, ht, dp)], (215, 220, 220)),  # ceiling
            ([(0, 0, 0), (x0, 0, 0), (x0, ht, 0), (0, ht, 0)], self.metal),  # door wall, left of the door
            ([(x1, 0, 0), (wd, 0, 0), (wd, ht, 0), (x1, ht, 0)], self.metal),  # right of the door
            ([(x0, dh, 0), (x1, dh, 0), (x1, ht, 0), (x0, ht, 0)], scaled(self.metal, 0.95)),  # header
            ([(0, 0, 0), (wd, 0, 0), (wd, 0, dp), (0, 0, dp)], self.floor),  # floor
        ]
        for quad, colour in faces:
            outline = self.camera.project_polygon(np.asarray(quad, np.float64))
            if len(outline) >= 3:
                canvas.fill(outline, colour)
        self._brush(canvas, rng)
        for x in np.arange(0.0, wd, wd / 3)[1:]:  # panel seams on the door wall and the left wall
            if not x0 - 0.02 < x < x1 + 0.02:
                canvas.polyline(self.px([(x, 0, 0), (x, ht, 0)]), False, 1, scaled(self.metal, 0.6))
        for z in np.arange(0.0, dp, dp / 3)[1:]:
            canvas.polyline(self.px([(0, 0, z), (0, ht, z)]), False, 1, scaled(self.metal, 0.6))
        if self.floor_tiles:
            for z in np.arange(0.3, dp, 0.3):
                canvas.polyline(self.px([(0, 0, z), (wd, 0, z)]), False, 1, scaled(self.floor, 0.75))
            for x in np.arange(0.3, wd, 0.3):
                canvas.polyline(self.px([(x, 0, 0), (x, 0, dp)]), False, 1, scaled(self.floor, 0.75))
        canvas.polyline(self.px([(x0, 0, 0.01), (x1, 0, 0.01)]), False, 3, (150, 150, 150))  # sill
        half = (x1 - x0) / 2
        shut = half * (1 - min(1.0, max(0.0, open_fraction)))
        if shut > 0.005:
            for a, b in ((x0, x0 + shut), (x1 - shut, x1)):
                canvas.fill(
                    self.px([(a, 0, 0.005), (b, 0, 0.005), (b, dh, 0.005), (a, dh, 0.005)]), self.door_colour
                )
                edge = b if a == x0 else a
                canvas.polyline(
                    self.px([(edge, 0, 0.006), (edge, dh, 0.006)]), False, 1, scaled(self.door_colour, 0.6)
                )
        for a, b in ((x0, x0), (x1, x1)):  # door frame jambs
            canvas.polyline(self.px([(a, 0, 0.01), (b, dh, 0.01)]), False, 3, scaled(self.metal, 0.7))
        canvas.polyline(self.px([(x0, dh, 0.01), (x1, dh, 0.01)]), False, 3, scaled(self.metal, 0.7))
        if self.handrail:
            rail = self.px([(0.05, 0.9, 0.15), (0.05, 0.9, dp - 0.15)])
            thick = max(2, round(0.04 * self.camera.pixels_per_metre(np.array([0.05, 0.9, dp / 2]))))
            canvas.polyline(rail, False, thick, (200, 200, 205))
        canvas.fill(
            self.px(
                [
                    (wd * 0.3, ht, dp * 0.3),
                    (wd * 0.7, ht, dp * 0.3),
                    (wd * 0.7, ht, dp * 0.7),
                    (wd * 0.3, ht, dp * 0.7),
                ]
            ),
            (245, 250, 250),
        )

    def _brush(self, canvas: Canvas, rng: np.random.Generator) -> None:
        """Brushed metal: faint vertical streaks over the walls drawn so far (not over the landing)."""
        factor = _streaks(int(rng.integers(_STREAK_VARIANTS)))
        shaded = np.clip(canvas.image.astype(np.float32) * factor, 0, 255).astype(np.uint8)
        np.copyto(canvas.image, shaded, where=canvas.mask[..., None] > 0)


_STREAK_VARIANTS = 8


@functools.lru_cache(maxsize=_STREAK_VARIANTS)
def _streaks(variant: int) -> np.ndarray:
    """A brightness factor around 1 with vertical streaks (one of a few, computed once per process)."""
    noise = np.random.default_rng(variant).normal(0, 1, (H // 4, W)).astype(np.float32)
    streak = np.asarray(cv2.resize(cv2.GaussianBlur(noise, (1, 0), sigmaX=0.1, sigmaY=6), (W, H)))
    return (1 + 0.06 * streak)[..., None].astype(np.float32)


def _pt(p: np.ndarray) -> tuple[int, int]:
    return (round(float(p[0])), round(float(p[1])))


def door_fraction(t: float, opens_at: float, closes_at: float, move_s: float = 1.0) -> float:
    """How far the doors are open at ``t``: 0 → 1 in ``move_s`` from ``opens_at``, back from ``closes_at``."""
    if t < opens_at or t >= closes_at + move_s:
        return 0.0
    if t < opens_at + move_s:
        return (t - opens_at) / move_s
    if t < closes_at:
        return 1.0
    return 1.0 - (t - closes_at) / move_s
