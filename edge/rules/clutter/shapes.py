"""Boxes and pixel masks at analysis size: how boxes overlap, windows around them, a mask's closed parts
(joined across a person's pixels) and its hull, and the blur the rule keeps off people."""

from __future__ import annotations

import cv2
import numpy as np

BBox = tuple[float, float, float, float]


def blur_among(image: np.ndarray, free: np.ndarray) -> np.ndarray:
    """``image`` blurred as the rule blurs (3x3 Gaussian), each pixel among the ``free`` pixels only (a
    convolution normalised by their weight): nothing of a person's colour reaches the floor beside them."""
    weight = free.astype(np.float32)
    total = np.maximum(cv2.GaussianBlur(weight, (3, 3), 0), 1e-6)
    return np.asarray(cv2.GaussianBlur(image * weight[:, :, None], (3, 3), 0) / total[:, :, None], np.float32)


def overlap(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / max(smaller, 1e-6)


def union(a: BBox, b: BBox) -> BBox:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def iou(a: BBox, b: BBox) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def grow(bbox: BBox, m: float) -> BBox:
    return (bbox[0] - m, bbox[1] - m, bbox[2] + m, bbox[3] + m)


def box_slices(bbox: BBox, shape: tuple[int, ...], margin: int = 0) -> tuple[slice, slice]:
    x0, y0, x1, y1 = (round(v) for v in bbox)
    return (
        slice(max(0, y0 - margin), min(shape[0], y1 + margin)),
        slice(max(0, x0 - margin), min(shape[1], x1 + margin)),
    )


ELLIPSE_3X3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))


def closed_parts(
    mask: np.ndarray, min_area: float = 0.0, bridge: np.ndarray | None = None, reach: int = 0
) -> list[tuple[int, int, int, np.ndarray]]:
    """Connected parts of ``mask`` after a 3x3 closing (gaps of a pixel bridged), those of at least
    ``min_area`` closed pixels, as (x, y, closed area, the part's own ``mask`` pixels within its box).
    Parts that only ``bridge`` pixels join (a person standing over an item splits it into what shows
    beside and between their legs) are one part, if they come within ``2 * reach`` pixels of each other
    across the bridge (0: any distance). A person is far bigger than the gap their legs make; across the
    whole of someone, things metres apart would be joined."""
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, ELLIPSE_3X3)
    if bridge is not None and reach > 0:
        near = cv2.dilate(closed, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))
        bridge = bridge & (near > 0)
    joined = closed if bridge is None else closed | bridge.astype(np.uint8)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    if bridge is not None:
        areas = np.bincount(comp[closed > 0], minlength=count)
    parts = []
    for k in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[k])
        if bridge is not None:
            area = int(areas[k])
        if area < min_area or not area:
            continue
        own = (comp[y : y + h, x : x + w] == k) & mask[y : y + h, x : x + w]
        if bridge is not None:  # the joined part's box holds the person too: its own pixels' box
            ys, xs = np.nonzero(own)
            if not len(ys):
                continue
            own = own[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
            x, y = x + int(xs.min()), y + int(ys.min())
        parts.append((x, y, area, own))
    return parts


def placed(
    pixels: np.ndarray, x: int, y: int, margin_y: int, margin_x: int, shape: tuple[int, ...]
) -> tuple[slice, slice, np.ndarray]:
    """A window of an image ``shape`` around a blob or an item (its ``pixels`` with their box at ``x``,
    ``y``), grown by the margins and clipped: (rows, cols, the pixels within the window)."""
    h, w = pixels.shape
    rows = slice(max(0, y - margin_y), min(shape[0], y + h + margin_y))
    cols = slice(max(0, x - margin_x), min(shape[1], x + w + margin_x))
    within = np.zeros((rows.stop - rows.start, cols.stop - cols.start), bool)
    within[y - rows.start : y - rows.start + h, x - cols.start : x - cols.start + w] = pixels
    return rows, cols, within


def hull(mask: np.ndarray) -> np.ndarray:
    """The convex hull of a mask's pixels, filled (empty for an empty mask)."""
    out = np.zeros(mask.shape, np.uint8)
    points = cv2.findNonZero(mask.astype(np.uint8))
    if points is not None:
        cv2.fillConvexPoly(out, cv2.convexHull(points), 1)
    return out > 0
