"""The building in a facade scene: floors, windows, and the still image they make through the camera."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge.synth.pinhole import TiltedPinhole


@dataclass(frozen=True)
class Window:
    floor: int  # 1 = ground floor
    x0: float  # metres along the facade
    x1: float
    z0: float  # sill, metres above ground
    z1: float
    polygon: np.ndarray  # int32 (4, 2) pixel corners

    @property
    def centre_x(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(frozen=True)
class Building:
    floors: int
    meters_per_floor: float
    x_left: float
    x_right: float
    windows: tuple[Window, ...]

    @property
    def roof_z(self) -> float:
        return self.floors * self.meters_per_floor


def layout_building(
    rng: np.random.Generator, camera: TiltedPinhole, floors: int, meters_per_floor: float, width_m: float
) -> Building:
    x_left = -width_m / 2 + float(rng.uniform(-4, 4))
    x_right = x_left + width_m
    pitch = float(rng.uniform(3.0, 4.2))
    win_w = float(rng.uniform(1.1, min(1.9, pitch - 0.8)))
    sill = float(rng.uniform(0.8, 1.0))
    win_h = float(rng.uniform(1.3, 1.6))
    columns = np.arange(x_left + pitch / 2, x_right - pitch / 2 + 1e-6, pitch)
    windows: list[Window] = []
    for floor in range(2, floors + 1):
        base = (floor - 1) * meters_per_floor
        for cx in columns:
            x0, x1, z0, z1 = cx - win_w / 2, cx + win_w / 2, base + sill, base + sill + win_h
            xs, ys = camera.project(np.array([x0, x1, x1, x0]), np.array([z0, z0, z1, z1]))
            poly = np.stack([xs, ys], axis=1).round().astype(np.int32)
            windows.append(Window(floor, x0, x1, z0, z1, poly))
    return Building(floors, meters_per_floor, x_left, x_right, tuple(windows))


def _bgr(values: np.ndarray | tuple[float, ...]) -> tuple[float, float, float]:
    b, g, r = (float(v) for v in values)
    return b, g, r


def _quad(camera: TiltedPinhole, x0: float, x1: float, z0: float, z1: float) -> np.ndarray:
    xs, ys = camera.project(np.array([x0, x1, x1, x0]), np.array([z0, z0, z1, z1]))
    return np.stack([xs, ys], axis=1).round().astype(np.int32)


def render_still(
    rng: np.random.Generator, camera: TiltedPinhole, building: Building, width: int, height: int
) -> tuple[np.ndarray, np.ndarray]:
    """The facade without anything moving: BGR image and the per-window glass colours (N, 3)."""
    img = np.empty((height, width, 3), np.uint8)
    sky_top = np.array(rng.uniform([170, 120, 80], [230, 190, 150]))
    sky_bottom = sky_top + rng.uniform(15, 35)
    ramp = np.linspace(0, 1, height)[:, None]
    img[:] = np.clip(sky_top * (1 - ramp) + sky_bottom * ramp, 0, 255)[:, None, :].astype(np.uint8)
    # a paler neighbour block behind, so the facade is not the only structure
    far = rng.uniform(120, 170)
    nb = _quad(
        camera, building.x_left - 30, building.x_right + 30, 0, building.roof_z * rng.uniform(0.4, 0.8)
    )
    cv2.fillConvexPoly(img, nb, (far, far + 5, far + 8))

    ground_row = round(camera.row_of(0.0))
    pave = rng.uniform(90, 140)
    img[ground_row:] = (pave, pave + 3, pave + 6)

    wall = rng.uniform([110, 120, 130], [200, 210, 225])
    cv2.fillConvexPoly(
        img, _quad(camera, building.x_left, building.x_right, 0, building.roof_z + 1.0), _bgr(wall)
    )
    m = building.meters_per_floor
    slab = wall * 0.8
    for floor in range(1, building.floors + 1):
        cv2.fillConvexPoly(
            img,
            _quad(camera, building.x_left, building.x_right, floor * m - 0.12, floor * m + 0.12),
            _bgr(slab),
        )
    # shop front on the ground floor
    cv2.fillConvexPoly(
        img, _quad(camera, building.x_left + 1, building.x_right - 1, 0.2, m * 0.75), _bgr(wall * 0.45)
    )

    glass = np.empty((len(building.windows), 3))
    for i, win in enumerate(building.windows):
        shade = rng.uniform(40, 110)
        glass[i] = (shade + rng.uniform(10, 30), shade + rng.uniform(0, 15), shade)
        frame_poly = _quad(camera, win.x0 - 0.08, win.x1 + 0.08, win.z0 - 0.08, win.z1 + 0.08)
        cv2.fillConvexPoly(img, frame_poly, (225, 225, 225))
        cv2.fillConvexPoly(img, win.polygon, _bgr(glass[i]))
    # wall texture so the background is not flat
    coarse = rng.normal(0, 3.0, (height // 4 + 1, width // 4 + 1)).astype(np.float32)
    texture = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    textured = np.clip(img.astype(np.float32) + texture[:, :, None], 0, 255).astype(np.uint8)
    return textured, glass
