"""Objects thrown from windows: a ballistic flight with air drag, drawn with motion blur."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from edge.synth.pinhole import TiltedPinhole

G = 9.81
SHAPES = ("disc", "box", "bottle", "shard")


@dataclass(frozen=True)
class Throw:
    """One object leaving a window at ``t0`` (seconds into the clip)."""

    t0: float
    floor: int
    x0: float
    z0: float
    d0: float
    vx: float
    vz: float  # up is positive
    vd: float  # out from the facade
    terminal_mps: float  # air drag: light objects fall slower
    size_m: float
    size_px: float  # apparent size at release
    shape: str
    colour: tuple[float, float, float]
    spin_rps: float


@dataclass(frozen=True)
class Flight:
    """The throw integrated in time: world states at a fine time step until it lands."""

    throw: Throw
    t: np.ndarray  # absolute seconds
    x: np.ndarray
    z: np.ndarray
    d: np.ndarray

    @property
    def t_land(self) -> float:
        return float(self.t[-1])

    def state_at(self, t: float) -> tuple[float, float, float]:
        """Position at ``t``, clamped to the flight (before release: at the window; after: landed)."""
        t = min(max(t, float(self.t[0])), float(self.t[-1]))
        return (
            float(np.interp(t, self.t, self.x)),
            float(np.interp(t, self.t, self.z)),
            float(np.interp(t, self.t, self.d)),
        )

    def at(self, t: float) -> tuple[float, float, float] | None:
        if t < self.t[0] or t > self.t[-1]:
            return None
        return (
            float(np.interp(t, self.t, self.x)),
            float(np.interp(t, self.t, self.z)),
            float(np.interp(t, self.t, self.d)),
        )


def fly(throw: Throw, dt: float = 1 / 400, max_s: float = 12.0) -> Flight:
    """Semi-implicit Euler with quadratic drag ``a = g - k|v|v``, ``k = g / v_terminal²``."""
    k = G / throw.terminal_mps**2
    pos = np.array([throw.x0, throw.z0, throw.d0])
    vel = np.array([throw.vx, throw.vz, throw.vd])
    ts, xs, zs, ds = [throw.t0], [pos[0]], [pos[1]], [pos[2]]
    t = throw.t0
    steps = int(max_s / dt)
    for _ in range(steps):
        speed = float(np.linalg.norm(vel))
        acc = np.array([0.0, -G, 0.0]) - k * speed * vel
        vel = vel + acc * dt
        pos = pos + vel * dt
        t += dt
        if pos[1] <= 0.0:
            # land: interpolate to the ground
            frac = zs[-1] / (zs[-1] - pos[1])
            ts.append(ts[-1] + frac * dt)
            xs.append(xs[-1] + frac * (pos[0] - xs[-1]))
            ds.append(ds[-1] + frac * (pos[2] - ds[-1]))
            zs.append(0.0)
            break
        ts.append(t)
        xs.append(pos[0])
        zs.append(pos[1])
        ds.append(pos[2])
    return Flight(throw, np.array(ts), np.array(xs), np.array(zs), np.array(ds))


def _outline(shape: str, size_px: float, angle: float) -> np.ndarray:
    """Corners of the shape around (0, 0), ``size_px`` across, rotated by ``angle``."""
    r = size_px / 2
    if shape == "disc":
        a = np.linspace(0, 2 * math.pi, 12, endpoint=False)
        pts = np.stack([np.cos(a), np.sin(a)], axis=1) * r
    elif shape == "box":
        pts = np.array([[-r, -r * 0.8], [r, -r * 0.8], [r, r * 0.8], [-r, r * 0.8]])
    elif shape == "bottle":
        pts = np.array([[-r, -r * 0.35], [r, -r * 0.35], [r, r * 0.35], [-r, r * 0.35]])
    else:  # shard: an irregular triangle-ish polygon
        pts = np.array([[-r, -r * 0.6], [r * 0.9, -r * 0.2], [r * 0.3, r], [-r * 0.6, r * 0.5]])
    c, s = math.cos(angle), math.sin(angle)
    return pts @ np.array([[c, s], [-s, c]])


def draw_flight(
    frame: np.ndarray, flight: Flight, camera: TiltedPinhole, t: float, exposure_s: float
) -> tuple[float, float] | None:
    """Draw the object as seen at frame time ``t``; return its pixel centre if it is in the frame."""
    centre = flight.at(t)
    if centre is None:
        return None
    throw = flight.throw
    h, w = frame.shape[:2]
    samples = []
    for frac in (-0.5, 0.0, 0.5):
        x, z, d = flight.state_at(t + frac * exposure_s)
        px, py = camera.project(np.array(x), np.array(z), d)
        ppm = camera.focal_px / max(camera.distance_m - d, 1.0)
        samples.append((float(px), float(py), throw.size_m * ppm))
    cx, cy, _ = samples[1]
    if not (-20 <= cx < w + 20 and -20 <= cy < h + 20):
        return None
    angle = 2 * math.pi * throw.spin_rps * (t - throw.t0)
    pad = int(max(s for *_, s in samples)) + 4
    xs = [p[0] for p in samples]
    ys = [p[1] for p in samples]
    x0, x1 = max(int(min(xs)) - pad, 0), min(int(max(xs)) + pad + 1, w)
    y0, y1 = max(int(min(ys)) - pad, 0), min(int(max(ys)) + pad + 1, h)
    if x1 <= x0 or y1 <= y0:
        return None
    cover: np.ndarray = np.zeros((y1 - y0, x1 - x0), np.float32)
    for sx, sy, size in samples:
        mask = np.zeros_like(cover, dtype=np.uint8)
        pts = _outline(throw.shape, max(size, 1.0), angle) + np.array([sx - x0, sy - y0])
        cv2.fillPoly(mask, [np.round(pts * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
        cover += mask.astype(np.float32) * np.float32(1.0 / (255.0 * len(samples)))
    patch = frame[y0:y1, x0:x1].astype(np.float32)
    colour = np.array(throw.colour, np.float32)
    frame[y0:y1, x0:x1] = np.clip(
        patch * (1 - cover[:, :, None]) + colour * cover[:, :, None], 0, 255
    ).astype(np.uint8)
    if 0 <= cx < w and 0 <= cy < h:
        return cx, cy
    return None
