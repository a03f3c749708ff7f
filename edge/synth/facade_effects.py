"""Whole-image effects on a facade clip: daylight drift, clouds, exposure jumps, camera shake, noise."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Lighting:
    """Image gain over time: a slow drift, clouds (ramps that stay) and exposure jumps (steps that return)."""

    drift_amp: float
    drift_period_s: float
    clouds: tuple[tuple[float, float, float], ...]  # (start, ramp seconds, gain change)
    exposure_jumps: tuple[tuple[float, float, float], ...]  # (start, end, gain change)

    def gain(self, t: float) -> float:
        g = 1.0 + self.drift_amp * math.sin(2 * math.pi * t / self.drift_period_s)
        for start, ramp, change in self.clouds:
            if t > start:
                g += change * min(1.0, (t - start) / ramp)
        for start, end, change in self.exposure_jumps:
            if start <= t < end:
                g += change
        return max(0.4, g)


@dataclass(frozen=True)
class Shake:
    episodes: tuple[tuple[float, float, float], ...]  # (start, end, amplitude px)

    def offset(self, t: float, rng: np.random.Generator) -> tuple[float, float]:
        for start, end, amp in self.episodes:
            if start <= t < end:
                dx, dy = rng.uniform(-amp, amp, 2)
                return float(dx), float(dy)
        return 0.0, 0.0


def shift(frame: np.ndarray, dx: float, dy: float) -> np.ndarray:
    m = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
    return cv2.warpAffine(frame, m, (frame.shape[1], frame.shape[0]), borderMode=cv2.BORDER_REFLECT)


class NoiseBank:
    """Sensor noise: a few precomputed Gaussian fields, one picked per frame (fresh noise is too slow)."""

    def __init__(
        self, rng: np.random.Generator, shape: tuple[int, int, int], sigma: float, count: int = 6
    ) -> None:
        self.fields: list[tuple[np.ndarray, np.ndarray]] = []
        for _ in range(count):
            noise = np.round(rng.normal(0, sigma, shape))
            # saturating add of the positive part, subtract of the negative part: two fast uint8 passes
            self.fields.append(
                (np.clip(noise, 0, 255).astype(np.uint8), np.clip(-noise, 0, 255).astype(np.uint8))
            )

    def apply(self, frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        pos, neg = self.fields[int(rng.integers(len(self.fields)))]
        out: np.ndarray = cv2.subtract(cv2.add(frame, pos), neg)
        return out
