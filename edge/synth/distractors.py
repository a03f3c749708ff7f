"""Things that move on a facade and are not falls: the detector's false-alarm sources.

Birds (horizontal, climbing, flapping), leaves and paper (drifting, barely accelerating), rain and snow
(many streaks or flakes at once), windows whose lights switch or flicker, curtains in the wind. Global
effects (lighting, exposure jumps, camera shake) live in ``facade_effects``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Bird:
    t0: float
    t1: float
    x0: float
    y0: float
    vx: float  # px/s
    vy: float  # px/s; negative climbs
    flap_hz: float
    bob_px: float
    span_px: float
    colour: float

    kind = "bird"

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None:
        if not self.t0 <= t <= self.t1:
            return
        dt = t - self.t0
        phase = 2 * math.pi * self.flap_hz * dt
        x = self.x0 + self.vx * dt
        y = self.y0 + self.vy * dt + self.bob_px * math.sin(phase)
        half = self.span_px / 2
        wing = half * 0.8 * math.sin(phase + 1.0)
        pts = np.array([[x - half, y - wing], [x, y], [x + half, y - wing]])
        c = (self.colour, self.colour, self.colour)
        cv2.polylines(
            frame, [np.round(pts * 4).astype(np.int32)], False, c, 1 + int(self.span_px > 8), cv2.LINE_AA, 2
        )
        cv2.circle(
            frame, (round(x * 4), round(y * 4)), max(4, int(self.span_px * 0.6)), c, -1, cv2.LINE_AA, 2
        )


@dataclass(frozen=True)
class Drifter:
    """A leaf, a sheet of paper or a plastic bag: falls near its terminal speed and sways."""

    kind: str
    t0: float
    t1: float
    x0: float
    y0: float
    fall_px_s: float
    sway_px: float
    sway_hz: float
    size_px: float
    colour: tuple[float, float, float]

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None:
        if not self.t0 <= t <= self.t1:
            return
        dt = t - self.t0
        x = self.x0 + self.sway_px * math.sin(2 * math.pi * self.sway_hz * dt)
        y = self.y0 + self.fall_px_s * dt + 0.3 * self.sway_px * math.sin(4 * math.pi * self.sway_hz * dt)
        tumble = 0.4 + 0.6 * abs(math.cos(2 * math.pi * self.sway_hz * 1.7 * dt))
        axes = (max(2, round(self.size_px * 2)), max(2, round(self.size_px * tumble * 2)))
        angle = 40 * math.sin(2 * math.pi * self.sway_hz * dt)
        cv2.ellipse(frame, (round(x * 4), round(y * 4)), axes, angle, 0, 360, self.colour, -1, cv2.LINE_AA, 2)


@dataclass(frozen=True)
class Precipitation:
    """Rain (many short bright streaks, new every frame) or snow (slow flakes that drift)."""

    kind: str  # "rain" | "snow"
    t0: float
    t1: float
    per_frame: int
    angle_deg: float
    seed: int

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None:
        if not self.t0 <= t <= self.t1:
            return
        h, w = frame.shape[:2]
        overlay = np.zeros((h, w), np.uint8)
        if self.kind == "rain":
            n = self.per_frame
            xs = rng.uniform(0, w, n)
            ys = rng.uniform(-20, h, n)
            lengths = rng.uniform(6, 30, n)
            ang = np.radians(self.angle_deg + rng.normal(0, 3, n))
            x2 = xs + lengths * np.sin(ang)
            y2 = ys + lengths * np.cos(ang)
            levels = rng.uniform(25, 70, n)
            for i in range(n):
                cv2.line(overlay, (int(xs[i]), int(ys[i])), (int(x2[i]), int(y2[i])), float(levels[i]), 1)
        else:
            # flakes keep their identity: positions are a function of time and the flake index
            flake = np.random.default_rng(self.seed)
            n = self.per_frame
            x0 = flake.uniform(0, w, n)
            speed = flake.uniform(15, 45, n)
            phase = flake.uniform(0, 2 * math.pi, n)
            dt = t - self.t0
            ys = (flake.uniform(0, h, n) + speed * dt) % (h + 10) - 5
            xs = x0 + 12 * np.sin(0.8 * dt + phase) + dt * 8 * math.sin(math.radians(self.angle_deg))
            radius = flake.integers(1, 3, n)
            for i in range(n):
                cv2.circle(overlay, (int(xs[i]) % w, int(ys[i])), int(radius[i]), 90, -1)
        cv2.add(frame, cv2.cvtColor(overlay, cv2.COLOR_GRAY2BGR), dst=frame)


@dataclass(frozen=True)
class WindowLight:
    """A window whose light switches on and off, and sometimes flickers like a failing tube."""

    polygon: np.ndarray
    lit_colour: tuple[float, float, float]
    toggles: tuple[float, ...]  # times the state flips
    flicker: tuple[tuple[float, float, float], ...]  # (start, end, hz)

    kind = "window_light"

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None:
        lit = sum(1 for x in self.toggles if x <= t) % 2 == 1
        for start, end, hz in self.flicker:
            if start <= t <= end:
                lit = math.sin(2 * math.pi * hz * t) > 0
        if lit:
            cv2.fillConvexPoly(frame, self.polygon, self.lit_colour)


@dataclass(frozen=True)
class Curtain:
    """A curtain in an open window, swaying in the wind."""

    polygon: np.ndarray
    colour: tuple[float, float, float]
    sway_hz: float
    amplitude: float

    kind = "curtain"

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None:
        x0, y0 = self.polygon.min(axis=0)
        x1, y1 = self.polygon.max(axis=0)
        wind = self.amplitude * (0.5 + 0.5 * math.sin(2 * math.pi * 0.13 * t))
        edge = x0 + (x1 - x0) * (0.45 + 0.25 * wind * math.sin(2 * math.pi * self.sway_hz * t))
        pts = np.array([[x0, y0], [edge, y0], [edge + 3 * wind * math.sin(7 * t), y1], [x0, y1]])
        cv2.fillConvexPoly(frame, np.round(pts).astype(np.int32), self.colour)
        for k in range(1, 4):
            fx = x0 + (edge - x0) * k / 4
            cv2.line(frame, (int(fx), int(y0)), (int(fx), int(y1)), tuple(c * 0.8 for c in self.colour), 1)
