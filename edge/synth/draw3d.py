"""Drawing solid-ish 3D parts (slabs, cuboids, tubes, rings, blobs) through a pinhole camera onto an image.

Every primitive draws twice: shaded colour into ``Canvas.image`` and 255 into ``Canvas.mask``, the mask of
the object being drawn. The compositor (``indoor_compose``) draws objects far to near and keeps, per
pixel, which object was drawn last: that yields the *visible* box of each object under occlusion.

A ``Painter`` places parts in an object's own frame: ``u`` forward along its heading, ``v`` up, ``w`` to
its right, at a floor position with a yaw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from edge.synth.camera3d import PinholeCamera

Colour = tuple[int, int, int]
LIGHT = np.array([0.35, 0.85, -0.4]) / np.linalg.norm([0.35, 0.85, -0.4])  # from the ceiling, a bit aside


@dataclass
class Canvas:
    image: np.ndarray  # BGR uint8, shared by all objects of a picture
    mask: np.ndarray  # uint8, the current object's own (unoccluded) pixels

    @classmethod
    def blank_mask(cls, image: np.ndarray) -> Canvas:
        return cls(image, np.zeros(image.shape[:2], np.uint8))

    def fill(self, pts: np.ndarray, colour: Colour) -> None:
        poly = [np.round(pts * 4).astype(np.int32)]
        cv2.fillPoly(self.image, poly, colour, cv2.LINE_AA, shift=2)
        cv2.fillPoly(self.mask, poly, 255, cv2.LINE_8, shift=2)

    def polyline(self, pts: np.ndarray, closed: bool, thickness: float, colour: Colour) -> None:
        t = max(1, round(thickness))
        poly = [np.round(pts * 4).astype(np.int32)]
        cv2.polylines(self.image, poly, closed, colour, t, cv2.LINE_AA, shift=2)
        cv2.polylines(self.mask, poly, closed, 255, t, cv2.LINE_8, shift=2)


def shade(colour: Colour, normal: np.ndarray, ambient: float = 0.55) -> Colour:
    n = normal / (np.linalg.norm(normal) + 1e-9)
    k = ambient + (1 - ambient) * max(0.0, float(n @ LIGHT))
    return (min(255, int(colour[0] * k)), min(255, int(colour[1] * k)), min(255, int(colour[2] * k)))


def scaled(colour: Colour, k: float) -> Colour:
    return (min(255, int(colour[0] * k)), min(255, int(colour[1] * k)), min(255, int(colour[2] * k)))


class Painter:
    """Draws parts of one object, given in its own (u, v, w) frame, placed at ``origin`` with ``yaw``."""

    def __init__(
        self,
        canvas: Canvas,
        camera: PinholeCamera,
        origin: tuple[float, float, float],
        yaw: float,
        scale: float = 1.0,
    ) -> None:
        self.canvas = canvas
        self.camera = camera
        self.origin = np.asarray(origin, np.float64)
        self.scale = scale
        c, s = math.cos(yaw), math.sin(yaw)
        # rows: where u, v, w point in world terms
        self.axes = np.array([[s, 0.0, c], [0.0, 1.0, 0.0], [c, 0.0, -s]])

    def world(self, local: np.ndarray) -> np.ndarray:
        return self.origin + (np.asarray(local, np.float64) * self.scale) @ self.axes

    def normal(self, local_dir: np.ndarray) -> np.ndarray:
        return np.asarray(local_dir, np.float64) @ self.axes

    def px(self, local: np.ndarray) -> np.ndarray:
        return self.camera.project(self.world(np.atleast_2d(local)))[0]

    def facing(self, centre: np.ndarray, local_normal: np.ndarray) -> bool:
        """Whether a face with this outward normal is turned towards the camera."""
        to_cam = self.camera.position - self.world(np.atleast_2d(centre))[0]
        return float(self.normal(local_normal) @ to_cam) > 0

    def thickness(self, local: np.ndarray, metres: float) -> float:
        return metres * self.scale * self.camera.pixels_per_metre(self.world(np.atleast_2d(local))[0])

    # --- parts -------------------------------------------------------------------------------------

    def poly(self, local: np.ndarray, colour: Colour, normal: np.ndarray | None = None) -> None:
        c = shade(colour, self.normal(normal)) if normal is not None else colour
        self.canvas.fill(self.px(local), c)

    def hull(self, local: np.ndarray, colour: Colour) -> None:
        pts = self.px(local).astype(np.float32)
        self.canvas.fill(cv2.convexHull(pts)[:, 0, :], colour)

    def tube(self, a: tuple[float, ...], b: tuple[float, ...], radius: float, colour: Colour) -> None:
        pts = np.array([a, b], np.float64)
        mid = pts.mean(axis=0)
        self.canvas.polyline(self.px(pts), False, 2 * self.thickness(mid, radius), colour)

    def path(self, local: np.ndarray, radius: float, colour: Colour, closed: bool = False) -> None:
        local = np.asarray(local, np.float64)
        self.canvas.polyline(self.px(local), closed, 2 * self.thickness(local.mean(axis=0), radius), colour)

    def cuboid(
        self,
        lo: tuple[float, float, float],
        hi: tuple[float, float, float],
        colour: Colour,
        top: Colour | None = None,
    ) -> None:
        """An axis-aligned box in the object frame; only faces turned to the camera are drawn."""
        (u0, v0, w0), (u1, v1, w1) = lo, hi
        faces = [
            ([[u1, v0, w0], [u1, v1, w0], [u1, v1, w1], [u1, v0, w1]], (1, 0, 0)),
            ([[u0, v0, w0], [u0, v1, w0], [u0, v1, w1], [u0, v0, w1]], (-1, 0, 0)),
            ([[u0, v1, w0], [u1, v1, w0], [u1, v1, w1], [u0, v1, w1]], (0, 1, 0)),
            ([[u0, v0, w0], [u1, v0, w0], [u1, v0, w1], [u0, v0, w1]], (0, -1, 0)),
            ([[u0, v0, w1], [u1, v0, w1], [u1, v1, w1], [u0, v1, w1]], (0, 0, 1)),
            ([[u0, v0, w0], [u1, v0, w0], [u1, v1, w0], [u0, v1, w0]], (0, 0, -1)),
        ]
        for quad, n in faces:
            q = np.asarray(quad, np.float64)
            normal = np.asarray(n, np.float64)
            if self.facing(q.mean(axis=0), normal):
                self.poly(q, top if (top is not None and n == (0, 1, 0)) else colour, normal)

    def slab(self, profile_uv: np.ndarray, w0: float, w1: float, colour: Colour) -> None:
        """A convex profile in the u-v plane extruded from ``w0`` to ``w1`` (a panel, a battery box)."""
        p = np.asarray(profile_uv, np.float64)
        near = np.column_stack([p, np.full(len(p), w0)])
        far = np.column_stack([p, np.full(len(p), w1)])
        self.hull(np.vstack([near, far]), scaled(colour, 0.8))
        side = (
            (near, (0, 0, -1)) if self.facing(near.mean(axis=0), np.array([0, 0, -1.0])) else (far, (0, 0, 1))
        )
        self.poly(side[0], colour, np.asarray(side[1], np.float64))

    def blob(
        self, centre: tuple[float, float, float], radii: tuple[float, float, float], colour: Colour
    ) -> None:
        """An ellipsoid: silhouette in a darker tone, a lit cap towards the light."""
        c = np.asarray(centre, np.float64)
        r = np.asarray(radii, np.float64)
        self.hull(c + _SPHERE * r, scaled(colour, 0.75))
        lit = self.axes @ LIGHT  # the light direction in the object frame
        self.hull(c + lit * r * 0.25 + _SPHERE * r * 0.7, colour)

    def circle(
        self, centre: tuple[float, float, float], radius: float, plane: str = "uv", n: int = 28
    ) -> np.ndarray:
        a = np.linspace(0, 2 * math.pi, n, endpoint=False)
        c = np.asarray(centre, np.float64)
        ring = np.zeros((n, 3))
        i, j = {"uv": (0, 1), "uw": (0, 2), "vw": (1, 2)}[plane]
        ring[:, i] = radius * np.cos(a)
        ring[:, j] = radius * np.sin(a)
        return c + ring

    def disc(
        self, centre: tuple[float, float, float], radius: float, colour: Colour, plane: str = "uv"
    ) -> None:
        self.canvas.fill(self.px(self.circle(centre, radius, plane)), colour)

    def ring(self, centre: tuple[float, float, float], radius: float, section: float, colour: Colour) -> None:
        """A tyre-like ring in the u-v plane, ``section`` metres thick radially."""
        pts = self.circle(centre, radius - section / 2, "uv", 36)
        self.canvas.polyline(self.px(pts), True, self.thickness(np.asarray(centre), section), colour)

    def arc(
        self,
        centre: tuple[float, float, float],
        radius: float,
        start_deg: float,
        end_deg: float,
        thickness: float,
        colour: Colour,
    ) -> None:
        """An arc in the u-v plane (0° = forward, 90° = up): fenders, handles."""
        a = np.radians(np.linspace(start_deg, end_deg, 14))
        c = np.asarray(centre, np.float64)
        pts = c + np.column_stack([radius * np.cos(a), radius * np.sin(a), np.zeros_like(a)])
        self.canvas.polyline(self.px(pts), False, self.thickness(c, thickness), colour)


def _sphere(n_lat: int = 7, n_lon: int = 12) -> np.ndarray:
    lat = np.linspace(-math.pi / 2, math.pi / 2, n_lat)
    lon = np.linspace(0, 2 * math.pi, n_lon, endpoint=False)
    la, lo = np.meshgrid(lat, lon)
    return np.column_stack(
        [(np.cos(la) * np.cos(lo)).ravel(), np.sin(la).ravel(), (np.cos(la) * np.sin(lo)).ravel()]
    )


_SPHERE = _sphere()
