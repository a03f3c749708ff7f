"""Camera effects for indoor pictures: exposure and light fall-off, colour cast, blur, sensor noise, JPEG.

Stills get an independent draw of everything; clip frames share one slow lighting state per clip and
only the noise changes per frame (a video encoder does the compression).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Look:
    gain: float
    gradient: float  # relative brightness change across the picture
    gradient_angle: float
    cast: tuple[float, float, float]  # per-channel white-balance error
    noise_sigma: float
    blur_px: float  # motion blur length, 0 = none
    blur_angle: float
    defocus: float  # Gaussian sigma, 0 = sharp
    jpeg_quality: int  # 0 = no re-compression

    @classmethod
    def sample(cls, rng: np.random.Generator, still: bool = True) -> Look:
        return cls(
            gain=float(rng.uniform(0.55, 1.3)),
            gradient=float(rng.uniform(0.0, 0.45)),
            gradient_angle=float(rng.uniform(0, 2 * np.pi)),
            cast=(float(rng.uniform(0.9, 1.1)), 1.0, float(rng.uniform(0.9, 1.1))),
            noise_sigma=float(rng.uniform(1.5, 9.0)),
            blur_px=float(rng.uniform(3, 11)) if still and rng.random() < 0.25 else 0.0,
            blur_angle=float(rng.uniform(0, 180)),
            defocus=float(rng.uniform(0.5, 1.4)) if still and rng.random() < 0.25 else 0.0,
            jpeg_quality=int(rng.integers(30, 95)) if still else 0,
        )

    def light_field(self, height: int, width: int) -> np.ndarray:
        xs, ys = _grid(height, width)
        ramp = np.cos(self.gradient_angle) * xs + np.sin(self.gradient_angle) * ys
        field = self.gain * (1 + self.gradient * ramp)
        return (field[..., None] * np.asarray(self.cast, np.float32)).astype(np.float32)


@functools.lru_cache(maxsize=4)
def _grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Column and row coordinates, -0.5..0.5."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    return xs / width - 0.5, ys / height - 0.5


def motion_kernel(length: float, angle_deg: float) -> np.ndarray:
    n = max(3, round(length) | 1)
    k = np.zeros((n, n), np.float32)
    k[n // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((n / 2 - 0.5, n / 2 - 0.5), angle_deg, 1.0)
    turned = np.asarray(cv2.warpAffine(k, rot, (n, n)), np.float32)
    return turned / max(float(turned.sum()), 1e-6)


def apply_look(
    image: np.ndarray, look: Look, rng: np.random.Generator, light: np.ndarray | None = None
) -> np.ndarray:
    """The picture as the camera would deliver it (a new array)."""
    img = image
    if look.blur_px > 0:
        img = cv2.filter2D(img, -1, motion_kernel(look.blur_px, look.blur_angle))
    if look.defocus > 0:
        img = cv2.GaussianBlur(img, (0, 0), look.defocus)
    h, w = img.shape[:2]
    field = light if light is not None else look.light_field(h, w)
    out = img.astype(np.float32) * field + look.noise_sigma * rng.standard_normal((h, w, 1), dtype=np.float32)
    out8 = np.clip(out, 0, 255).astype(np.uint8)
    if look.jpeg_quality:
        ok, buf = cv2.imencode(".jpg", out8, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg_quality])
        if ok:
            out8 = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out8
