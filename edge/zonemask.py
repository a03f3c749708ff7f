"""Camera zones and masks as pixel masks at the resolution an analysis runs at."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Polygon = Sequence[Sequence[float]]


def polygon_mask(shape: tuple[int, int], polygons: Sequence[Polygon], scale: float) -> np.ndarray:
    """A ``uint8`` mask (255 inside) of ``polygons`` given in full-resolution pixels, drawn at ``scale``."""
    mask = np.zeros(shape, np.uint8)
    for polygon in polygons:
        pts = np.round(np.asarray(polygon, np.float64) * scale).astype(np.int32)
        cv2.fillPoly(mask, [pts], 255)
    return mask


def zone_mask(
    shape: tuple[int, int], zones: Sequence[Polygon], masks: Sequence[Polygon], scale: float
) -> np.ndarray:
    """Inside any zone and outside every mask; with no zones, the whole frame minus the masks."""
    inside = polygon_mask(shape, zones, scale) if zones else np.full(shape, 255, np.uint8)
    if masks:
        inside[polygon_mask(shape, masks, scale) > 0] = 0
    return inside


def analysis_size(width: int, height: int, target_width: int) -> tuple[int, int, float]:
    """(w, h, scale) for downscaling a frame to about ``target_width`` pixels wide (never upscaling)."""
    scale = min(1.0, target_width / width)
    return max(1, round(width * scale)), max(1, round(height * scale)), scale


def analysis_window(
    box: Sequence[float] | np.ndarray, scale: float, shape: tuple[int, ...]
) -> tuple[slice, slice] | None:
    """(rows, cols) of an image ``shape`` (the frame scaled by ``scale``) covering ``box`` (``x1, y1, x2,
    y2`` in frame pixels, rounded outwards), clipped to the image; None if nothing of it is inside."""
    h, w = shape[:2]
    x1, y1 = max(0, int(box[0] * scale)), max(0, int(box[1] * scale))
    x2, y2 = min(w, int(np.ceil(box[2] * scale))), min(h, int(np.ceil(box[3] * scale)))
    if x2 <= x1 or y2 <= y1:
        return None
    return slice(y1, y2), slice(x1, x2)
