"""Compose a picture from scenery and things, far to near, and find each thing's *visible* box.

Every layer draws its own mask; a per-pixel owner map keeps who was drawn last, so a thing hidden behind
a person, a door frame or the picture's edge gets the box of what can still be seen of it. Things left
with too little of themselves in view are reported as not labelled (a detector cannot be asked to find
them, nor blamed for finding them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from edge.synth.camera3d import PinholeCamera
from edge.synth.draw3d import Canvas, Painter
from edge.synth.indoor_objects import Placed

MIN_VISIBLE_FRACTION = 0.3
MIN_BOX_PX = 6
SCENERY = -1

Scenery = Callable[[Canvas], None]


@dataclass(frozen=True)
class Visible:
    placed: Placed
    bbox: tuple[int, int, int, int]  # x1, y1, x2, y2 in pixels, x2/y2 exclusive
    fraction: float  # visible pixels / pixels it would cover alone in this picture

    @property
    def labelled(self) -> bool:
        x1, y1, x2, y2 = self.bbox
        return (
            self.placed.labelled
            and self.fraction >= MIN_VISIBLE_FRACTION
            and x2 - x1 >= MIN_BOX_PX
            and y2 - y1 >= MIN_BOX_PX
        )

    @property
    def bottom_centre(self) -> tuple[float, float]:
        return ((self.bbox[0] + self.bbox[2]) / 2, float(self.bbox[3]))


def far_to_near(camera: PinholeCamera, placed: Sequence[Placed]) -> list[Placed]:
    return sorted(placed, key=lambda p: -camera.depth_of(np.array([p.x, 0.5, p.z])))


def _shadow(image: np.ndarray, camera: PinholeCamera, item: Placed) -> None:
    """A soft darker patch on the floor under a thing."""
    a = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    c, s = np.cos(item.yaw), np.sin(item.yaw)
    u, w = 0.55 * item.thing.length * np.cos(a), 0.6 * item.thing.width * np.sin(a)
    pts = np.column_stack([item.x + u * s + w * c, np.zeros_like(a), item.z + u * c - w * s])
    px, _ = camera.project(pts)
    x1, y1 = np.floor(px.min(axis=0)).astype(int) - 8
    x2, y2 = np.ceil(px.max(axis=0)).astype(int) + 8
    h, w_img = image.shape[:2]
    x1, y1, x2, y2 = max(0, x1), max(0, y1), min(w_img, x2), min(h, y2)
    if x2 - x1 < 2 or y2 - y1 < 2:
        return
    patch = np.zeros((y2 - y1, x2 - x1), np.float32)
    cv2.fillPoly(patch, [np.round(px - (x1, y1)).astype(np.int32)], 1.0)
    patch = cv2.GaussianBlur(patch, (0, 0), 3)
    region = image[y1:y2, x1:x2].astype(np.float32) * (1 - 0.35 * patch[..., None])
    image[y1:y2, x1:x2] = region.astype(np.uint8)


def paint(image: np.ndarray, camera: PinholeCamera, layers: Sequence[Placed | Scenery]) -> list[Visible]:
    """Draw ``layers`` in order onto ``image`` (in place); return one ``Visible`` per placed thing."""
    owner = np.full(image.shape[:2], SCENERY, np.int16)
    canvas = Canvas.blank_mask(image)
    placed: list[Placed] = []
    area: list[int] = []
    for layer in layers:
        canvas.mask[:] = 0
        if isinstance(layer, Placed):
            _shadow(image, camera, layer)
            layer.thing.draw(Painter(canvas, camera, (layer.x, 0.0, layer.z), layer.yaw))
            owner[canvas.mask > 0] = len(placed)
            placed.append(layer)
            area.append(int(np.count_nonzero(canvas.mask)))
        else:
            layer(canvas)
            owner[canvas.mask > 0] = SCENERY
    out = []
    for k, item in enumerate(placed):
        ys, xs = np.nonzero(owner == k)
        if len(xs) == 0:
            out.append(Visible(item, (0, 0, 0, 0), 0.0))
            continue
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        out.append(Visible(item, box, len(xs) / max(1, area[k])))
    return out
