"""Pixel rows on a facade ↔ height in metres ↔ floor number, from the camera config's ``facade:`` block.

A camera looking up sees higher floors shorter; ``floor_boundaries_y`` gives every floor line, so the
mapping is piecewise linear per floor band, which undoes that perspective to first order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sharpeyes.config import FacadeConfig


@dataclass(frozen=True)
class FloorScale:
    rows: tuple[float, ...]  # ground line first, then the top of floor 1, 2, ... (decreasing)
    meters_per_floor: float

    def __post_init__(self) -> None:
        if len(self.rows) < 2 or any(b >= a for a, b in zip(self.rows, self.rows[1:], strict=False)):
            raise ValueError("floor rows must be at least two, strictly decreasing (ground line first)")

    @classmethod
    def from_config(cls, facade: FacadeConfig) -> FloorScale:
        return cls(tuple(facade.floor_boundaries_y), facade.meters_per_floor)

    @property
    def floors(self) -> int:
        return len(self.rows) - 1

    def height_m(self, y: np.ndarray | float) -> np.ndarray:
        """Height above the ground line of image row(s) ``y``; linear beyond the first and last floor line."""
        rows = np.asarray(self.rows[::-1], dtype=np.float64)  # increasing
        heights = np.arange(len(self.rows), dtype=np.float64)[::-1] * self.meters_per_floor
        y = np.asarray(y, dtype=np.float64)
        z = np.interp(y, rows, heights)
        top_slope = self.meters_per_floor / (self.rows[-2] - self.rows[-1])
        ground_slope = self.meters_per_floor / (self.rows[0] - self.rows[1])
        z = np.where(y < rows[0], heights[0] + (rows[0] - y) * top_slope, z)
        return np.where(y > rows[-1], (rows[-1] - y) * ground_slope, z)

    def row_at(self, height_m: np.ndarray | float) -> np.ndarray:
        """The inverse of ``height_m``: image row(s) of a height above the ground line."""
        heights = np.arange(len(self.rows), dtype=np.float64) * self.meters_per_floor
        rows = np.asarray(self.rows, dtype=np.float64)
        z = np.asarray(height_m, dtype=np.float64)
        y = np.interp(z, heights, rows)
        top_slope = (self.rows[-2] - self.rows[-1]) / self.meters_per_floor
        ground_slope = (self.rows[0] - self.rows[1]) / self.meters_per_floor
        y = np.where(z > heights[-1], rows[-1] - (z - heights[-1]) * top_slope, y)
        return np.where(z < 0, rows[0] - z * ground_slope, y)

    def pixels_per_metre_at(self, ys: np.ndarray) -> np.ndarray:
        """``pixels_per_metre`` for many rows at once (the tracker gates every live track each frame)."""
        rows = np.asarray(self.rows[::-1], dtype=np.float64)  # increasing
        bands = np.diff(np.asarray(self.rows, dtype=np.float64))[::-1] * -1 / self.meters_per_floor
        idx = np.clip(np.searchsorted(rows, ys) - 1, 0, len(bands) - 1)
        return np.asarray(bands[idx])

    def pixels_per_metre(self, y: float) -> float:
        """Local vertical scale at row ``y`` (the height in pixels of that floor band / metres per floor)."""
        band = int(np.clip(self.floor_at(self.height_m(y).item()) - 1, 0, self.floors - 1))
        return (self.rows[band] - self.rows[band + 1]) / self.meters_per_floor

    def floor_at(self, height_m: float) -> int:
        """Floor number (1 = ground floor) of a height; clamped to the building."""
        return int(np.clip(np.floor(height_m / self.meters_per_floor) + 1, 1, self.floors))

    def floor_of_row(self, y: float) -> int:
        return self.floor_at(self.height_m(y).item())
