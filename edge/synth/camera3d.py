"""A pinhole camera anywhere in a room, looking at a point: world metres → pixels.

World axes: ``x`` right, ``y`` up from the floor, ``z`` forward (away from the corridor camera, into the
lift car's depth). ``PinholeCamera.level`` with the corridor's numbers reproduces ``corridor.project``
exactly, so corridor stills and corridor clips share one geometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEAR_M = 0.05  # points closer than this to the image plane are clamped (objects never reach the lens)


@dataclass(frozen=True)
class PinholeCamera:
    position: np.ndarray  # (3,) metres
    rotation: np.ndarray  # (3, 3): rows are the camera's right, down and forward axes in world terms
    focal_px: float
    cx: float
    cy: float
    width: int
    height: int

    @classmethod
    def looking_at(
        cls,
        position: tuple[float, float, float],
        target: tuple[float, float, float],
        focal_px: float,
        size: tuple[int, int],
        roll_rad: float = 0.0,
    ) -> PinholeCamera:
        pos = np.asarray(position, np.float64)
        forward = np.asarray(target, np.float64) - pos
        forward /= np.linalg.norm(forward)
        right = np.cross((0.0, 1.0, 0.0), forward)
        right /= np.linalg.norm(right)
        down = np.cross(right, forward)
        if roll_rad:
            c, s = np.cos(roll_rad), np.sin(roll_rad)
            right, down = c * right + s * down, -s * right + c * down
        return cls(pos, np.stack([right, down, forward]), focal_px, size[0] / 2, size[1] / 2, *size)

    @classmethod
    def level(
        cls, height_m: float, focal_px: float, size: tuple[int, int], horizon_y: float
    ) -> PinholeCamera:
        """A camera at ``(0, height_m, 0)`` looking straight down ``+z`` (the corridor camera)."""
        return cls(
            np.array([0.0, height_m, 0.0]), np.eye(3) * [1, -1, 1], focal_px, size[0] / 2, horizon_y, *size
        )

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """(N, 3) world → (N, 3) camera coordinates (right, down, depth)."""
        return (np.asarray(points, np.float64) - self.position) @ self.rotation.T

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(N, 3) world → (N, 2) pixels and (N,) depths (depth clamped to ``NEAR_M``)."""
        cam = self.to_camera(points)
        depth = np.maximum(cam[:, 2], NEAR_M)
        px = np.stack(
            [self.cx + self.focal_px * cam[:, 0] / depth, self.cy + self.focal_px * cam[:, 1] / depth], 1
        )
        return px, depth

    def depth_of(self, point: np.ndarray) -> float:
        return float(max(self.to_camera(np.asarray(point)[None])[0, 2], NEAR_M))

    def pixels_per_metre(self, point: np.ndarray) -> float:
        return self.focal_px / self.depth_of(point)

    def project_polygon(self, points: np.ndarray, near: float = 0.02) -> np.ndarray:
        """A planar polygon's outline in pixels, clipped at the plane ``depth = near`` first (walls that
        reach behind the camera); empty (0, 2) when all of it is behind."""
        cam = self.to_camera(points)
        kept: list[np.ndarray] = []
        for a, b in zip(cam, np.roll(cam, -1, axis=0), strict=True):
            if a[2] >= near:
                kept.append(a)
            if (a[2] >= near) != (b[2] >= near):
                t = (near - a[2]) / (b[2] - a[2])
                kept.append(a + t * (b - a))
        if not kept:
            return np.zeros((0, 2))
        c = np.asarray(kept)
        return np.stack(
            [self.cx + self.focal_px * c[:, 0] / c[:, 2], self.cy + self.focal_px * c[:, 1] / c[:, 2]], 1
        )
