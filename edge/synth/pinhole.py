"""A pinhole camera standing in front of a facade and tilted up at it.

World axes, in metres: ``X`` along the facade (right), ``Z`` up from the ground, ``d`` out from the facade
towards the camera. The facade is the plane ``d = 0``. Tilting the camera up makes higher floors look
shorter and the facade narrower at the top: the perspective the detector has to undo with
``floor_boundaries_y``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TiltedPinhole:
    distance_m: float  # camera to facade, horizontally
    height_m: float  # camera above the ground
    tilt_rad: float  # upward tilt of the optical axis
    focal_px: float
    cx: float
    cy: float

    @classmethod
    def framing(
        cls,
        *,
        distance_m: float,
        height_m: float,
        tilt_deg: float,
        ground_row: float,
        roof_row: float,
        roof_z_m: float,
        cx: float,
    ) -> TiltedPinhole:
        """The camera whose image puts the facade's foot at ``ground_row`` and its roof at ``roof_row``."""
        tilt = math.radians(tilt_deg)
        probe = cls(distance_m, height_m, tilt, 1.0, 0.0, 0.0)
        f_ground = probe._elevation(0.0, 0.0)
        f_roof = probe._elevation(roof_z_m, 0.0)
        focal = (ground_row - roof_row) / (f_roof - f_ground)
        return cls(distance_m, height_m, tilt, focal, cx, ground_row + focal * f_ground)

    def _elevation(self, z: float, d: float) -> float:
        ground = self.distance_m - d
        rel = z - self.height_m
        depth = ground * math.cos(self.tilt_rad) + rel * math.sin(self.tilt_rad)
        return (-ground * math.sin(self.tilt_rad) + rel * math.cos(self.tilt_rad)) / depth

    def project(
        self, x: np.ndarray, z: np.ndarray, d: np.ndarray | float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """World points → pixel columns and rows (arrays of the broadcast shape)."""
        ground = self.distance_m - np.asarray(d, dtype=np.float64)
        rel = np.asarray(z, dtype=np.float64) - self.height_m
        c, s = math.cos(self.tilt_rad), math.sin(self.tilt_rad)
        depth = ground * c + rel * s
        up = -ground * s + rel * c
        return self.cx + self.focal_px * np.asarray(
            x, dtype=np.float64
        ) / depth, self.cy - self.focal_px * up / depth

    def row_of(self, z: float, d: float = 0.0) -> float:
        return float(self.cy - self.focal_px * self._elevation(z, d))

    def pixels_per_metre(self, z: float) -> float:
        """Vertical image scale on the facade at height ``z`` (rows per metre)."""
        return abs(self.row_of(z + 0.05) - self.row_of(z - 0.05)) / 0.1
