"""Letterboxing: scale a frame into the model's input keeping its aspect ratio, pad the rest grey."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Letterbox:
    scale: float
    pad_x: float
    pad_y: float

    def to_frame(self, xyxy: np.ndarray) -> np.ndarray:
        """Boxes in model-input pixels → boxes in the original frame's pixels."""
        out = xyxy.astype(np.float32).copy()
        out[:, [0, 2]] = (out[:, [0, 2]] - self.pad_x) / self.scale
        out[:, [1, 3]] = (out[:, [1, 3]] - self.pad_y) / self.scale
        return out


def letterbox(frame: np.ndarray, size: tuple[int, int], pad_value: int = 114) -> tuple[np.ndarray, Letterbox]:
    """BGR frame → (1, 3, H, W) float32 RGB in 0..1, and how to map boxes back. ``size`` is (w, h)."""
    width, height = size
    h, w = frame.shape[:2]
    scale = min(width / w, height / h)
    nw, nh = round(w * scale), round(h * scale)
    pad_x, pad_y = (width - nw) / 2, (height - nh) / 2
    canvas = np.full((height, width, 3), pad_value, np.uint8)
    left, top = round(pad_x - 0.1), round(pad_y - 0.1)
    canvas[top : top + nh, left : left + nw] = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_LINEAR)
    blob = cv2.dnn.blobFromImage(canvas, 1 / 255.0, swapRB=True)
    return blob, Letterbox(scale=scale, pad_x=float(left), pad_y=float(top))
