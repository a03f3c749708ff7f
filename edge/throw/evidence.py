"""The evidence image of a fall: the trajectory over the facade with the origin floor's band marked, and
a strip of crops from the frames around the event, newest last."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from edge.throw.floors import FloorScale
from edge.throw.trajectory import TrackPoint


@dataclass(frozen=True)
class KeptFrame:
    """A ring frame, kept JPEG-encoded: 9 s of half-size 1280×720 frames are ~31 MB per camera raw
    and ~1 MB as JPEG, and they are decoded only when a fall is reported."""

    t: float
    jpeg: bytes  # BGR, downscaled by ``FrameRing.scale``

    @property
    def image(self) -> np.ndarray:
        image = cv2.imdecode(np.frombuffer(self.jpeg, np.uint8), cv2.IMREAD_COLOR)
        if image is None:  # cannot happen for bytes imencode wrote; keeps the type exact
            raise ValueError("ring frame does not decode")
        return image


JPEG_QUALITY = 92  # the crops of 3-6 px objects stay legible


class FrameRing:
    """Recent frames at a low rate and half size: enough to show the seconds around a fall."""

    def __init__(self, seconds: float = 9.0, every_s: float = 0.2, scale: float = 0.5) -> None:
        self.scale = scale
        self.every_s = every_s
        self.frames: deque[KeptFrame] = deque(maxlen=max(2, int(seconds / every_s)))
        self._next_t = 0.0

    def offer(self, frame: np.ndarray, t: float) -> None:
        if t + 1e-9 < self._next_t:
            return
        self._next_t = t + self.every_s
        small = cv2.resize(frame, None, fx=self.scale, fy=self.scale, interpolation=cv2.INTER_AREA)
        ok, jpeg = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if ok:
            self.frames.append(KeptFrame(t, jpeg.tobytes()))

    def between(self, t0: float, t1: float) -> list[KeptFrame]:
        return [f for f in self.frames if t0 <= f.t <= t1]

    def nearest(self, t: float) -> KeptFrame | None:
        return min(self.frames, key=lambda f: abs(f.t - t), default=None)


def _position_at(points: list[TrackPoint], t: float) -> tuple[float, float]:
    ts = [p[0] for p in points]
    return float(np.interp(t, ts, [p[1] for p in points])), float(np.interp(t, ts, [p[2] for p in points]))


def compose(
    ring: FrameRing, points: list[TrackPoint], scale: FloorScale, origin_floor: int, thumbs: int = 6
) -> bytes | None:
    """A JPEG: facade + trajectory + origin band on top, crops of the object along its path below."""
    t0, t1 = points[0][0], points[-1][0]
    base = ring.nearest(t0)
    if base is None:
        return None
    k = ring.scale
    img = base.image.copy()
    h, w = img.shape[:2]
    # the origin floor's band, translucent
    lo, hi = scale.rows[origin_floor - 1] * k, scale.rows[origin_floor] * k
    band = img.copy()
    cv2.rectangle(band, (0, int(hi)), (w - 1, int(lo)), (0, 200, 255), -1)
    img = cv2.addWeighted(band, 0.3, img, 0.7, 0)
    for i, row in enumerate(scale.rows):
        cv2.line(img, (0, int(row * k)), (12, int(row * k)), (255, 255, 255), 1)
        if i < scale.floors:
            mid = int((row + scale.rows[i + 1]) * k / 2)
            cv2.putText(img, str(i + 1), (14, mid + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1)
    pts = np.array([[p[1] * k, p[2] * k] for p in points], np.float64)
    cv2.polylines(img, [np.round(pts * 4).astype(np.int32)], False, (0, 0, 255), 1, cv2.LINE_AA, 2)
    cv2.circle(img, (int(pts[0, 0]), int(pts[0, 1])), 5, (0, 255, 255), 1, cv2.LINE_AA)
    label = f"high_altitude_throw  origin floor {origin_floor}  t={t0:.2f}-{t1:.2f}s"
    cv2.putText(img, label, (8, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 3)
    cv2.putText(img, label, (8, h - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1)

    around = ring.between(t0 - 0.6, t1 + 0.6)
    if len(around) > thumbs:
        pick = np.linspace(0, len(around) - 1, thumbs).round().astype(int)
        around = [around[i] for i in pick]
    side = w // thumbs
    strip = np.zeros((side, w, 3), np.uint8)
    half = 24
    for i, kept in enumerate(around):
        x, y = _position_at(points, min(max(kept.t, t0), t1))
        cx, cy = int(x * k), int(y * k)
        crop = np.zeros((2 * half, 2 * half, 3), np.uint8)
        ys, xs = slice(max(cy - half, 0), min(cy + half, h)), slice(max(cx - half, 0), min(cx + half, w))
        part = kept.image[ys, xs]
        crop[
            ys.start - (cy - half) : ys.start - (cy - half) + part.shape[0],
            xs.start - (cx - half) : xs.start - (cx - half) + part.shape[1],
        ] = part
        tile = cv2.resize(crop, (side, side), interpolation=cv2.INTER_NEAREST)
        if t0 <= kept.t <= t1:
            cv2.circle(tile, (side // 2, side // 2), side // 6, (0, 0, 255), 1, cv2.LINE_AA)
        cv2.putText(tile, f"{kept.t:.1f}s", (3, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.35, (255, 255, 255), 1)
        strip[:, i * side : (i + 1) * side] = tile
    ok, jpeg = cv2.imencode(".jpg", np.vstack([img, strip]), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return jpeg.tobytes() if ok else None
