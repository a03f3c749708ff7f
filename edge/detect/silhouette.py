"""Which pixels of a person's box are the person: a small ONNX model run on each box's crop.

A detector's box is a rectangle; a person fills half of it or less (the space between and beside the legs,
around the head and arms is floor or whatever stands there). The clutter rule must not take a person for a
thing, but neither should it take an item at someone's feet for part of them. The model sees the box grown
by ``margin`` of its height on every side (the window ``people_mask`` masks without it), resized to the
manifest's ``input_size``, and gives per pixel the chance it shows a person; above ``threshold`` it does.

Crops of all boxes of a frame run as one batch. The manifest is checked on load like a detector's
(``load_checked``): a missing file, a checksum mismatch or an input/output that is not
``[N, 3, height, width]`` / ``[N, 1, height, width]`` is a ``ModelError`` naming the check.
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from pydantic import Field, field_validator

from edge.detect.errors import ModelError
from edge.detect.manifest import CheckedManifest, load_checked
from edge.detect.runtime import SessionPool, fixed_dim

Window = tuple[int, int, int, int]  # x0, y0, x1, y1 (x1, y1 exclusive), may reach outside the frame


class SilhouetteManifest(CheckedManifest):
    input_size: tuple[int, int] = Field(description="[width, height] of a box's crop")
    margin: float = Field(
        default=0.1, ge=0.0, le=1.0, description="crop: the box grown by this share of its height"
    )
    threshold: float = Field(default=0.5, gt=0.0, lt=1.0, description="a pixel shows a person above this")

    @field_validator("input_size")
    @classmethod
    def _size(cls, value: tuple[int, int]) -> tuple[int, int]:
        return checked_input_size(value)


def checked_input_size(value: tuple[int, int]) -> tuple[int, int]:
    """``value`` if a silhouette model may take crops of that width and height, else ``ValueError``: the
    manifest's rule, which the training CLI also applies before it cuts any crop."""
    if not all(8 <= v <= 1024 and v % 8 == 0 for v in value):
        raise ValueError("input_size must be two multiples of 8 between 8 and 1024")
    return value


def crop_window(box: np.ndarray, margin: float) -> Window:
    """The frame pixels the model sees for a box ``x1, y1, x2, y2``: grown by ``margin`` of its height."""
    x1, y1, x2, y2 = (float(v) for v in box[:4])
    m = margin * (y2 - y1)
    return (int(np.floor(x1 - m)), int(np.floor(y1 - m)), int(np.ceil(x2 + m)), int(np.ceil(y2 + m)))


def _inside(window: Window, shape: tuple[int, ...]) -> Window | None:
    """The part of ``window`` inside an image of ``shape`` (height, width, ...); None if there is none."""
    x0, y0, x1, y1 = window
    a, b = max(0, x0), max(0, y0)
    c, d = min(shape[1], x1), min(shape[0], y1)
    return (a, b, c, d) if c > a and d > b else None


def crop(image: np.ndarray, window: Window, size: tuple[int, int]) -> np.ndarray:
    """``window`` of ``image`` resized to ``size`` (width, height); outside the image is black."""
    x0, y0, x1, y1 = window
    canvas = np.zeros((max(1, y1 - y0), max(1, x1 - x0), *image.shape[2:]), image.dtype)
    inside = _inside(window, image.shape)
    if inside is not None:
        a, b, c, d = inside
        canvas[b - y0 : d - y0, a - x0 : c - x0] = image[b:d, a:c]
    return cv2.resize(canvas, size, interpolation=cv2.INTER_AREA)


def paste(mask: np.ndarray, window: Window, shown: np.ndarray) -> None:
    """OR ``shown`` (a crop's mask at any size) into ``mask`` over ``window`` (``mask``'s pixels)."""
    x0, y0, x1, y1 = window
    inside = _inside(window, mask.shape)
    if inside is None:
        return
    a, b, c, d = inside
    resized = cv2.resize(shown.astype(np.uint8), (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST) > 0
    mask[b:d, a:c] |= resized[b - y0 : d - y0, a - x0 : c - x0]


def paste_chances(chances: np.ndarray, window: Window, chance: np.ndarray) -> None:
    """Raise ``chances`` over ``window`` (``chances``' pixels) to a crop's ``chance`` resized to the window:
    by area where it shrinks, so a pixel half person and half floor reads 0.5, not 0 or 1 by sampling;
    linearly where it grows."""
    x0, y0, x1, y1 = window
    inside = _inside(window, chances.shape)
    if inside is None:
        return
    a, b, c, d = inside
    shrinks = x1 - x0 < chance.shape[1]
    resized = cv2.resize(
        chance.astype(np.float32),
        (x1 - x0, y1 - y0),
        interpolation=cv2.INTER_AREA if shrinks else cv2.INTER_LINEAR,
    )
    np.maximum(chances[b:d, a:c], resized[b - y0 : d - y0, a - x0 : c - x0], out=chances[b:d, a:c])


class PersonSilhouettes:
    """A checked silhouette model: ``mask(frame, boxes, shape, scale)`` → the pixels people show."""

    def __init__(self, manifest: SilhouetteManifest, model_path: Path, pool: SessionPool) -> None:
        self.manifest = manifest
        self.model_path = model_path
        self.session = pool.session(model_path)
        self._input = self.session.get_inputs()[0]
        self._check_shapes()
        self.last_ms = 0.0

    @classmethod
    def from_manifest(cls, path: Path, pool: SessionPool) -> PersonSilhouettes:
        manifest, model_path = load_checked(SilhouetteManifest, path)
        return cls(manifest, model_path, pool)

    def chances(self, frame: np.ndarray, boxes: np.ndarray) -> np.ndarray:
        """Per box, the chance each pixel of its crop shows a person: (N, height, width) float32."""
        return self._chances(frame, self._windows(boxes))

    @property
    def threshold(self) -> float:
        return self.manifest.threshold

    def mask(self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray:
        """Pixels of an image ``shape`` (``frame`` scaled by ``scale``) that the people in ``boxes`` (frame
        pixels) show."""
        t0 = time.perf_counter()
        mask = np.zeros(shape, bool)
        for window, chance in self._scaled(frame, boxes, scale):
            paste(mask, window, chance > self.manifest.threshold)
        self.last_ms = (time.perf_counter() - t0) * 1e3
        return mask

    def chances_at(
        self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float
    ) -> np.ndarray:
        """Per pixel of an image ``shape`` (``frame`` scaled by ``scale``), the chance it shows one of the
        people in ``boxes`` (frame pixels), each crop brought to its window by area: float32, 0 outside
        their windows."""
        t0 = time.perf_counter()
        chances = np.zeros(shape, np.float32)
        for window, chance in self._scaled(frame, boxes, scale):
            paste_chances(chances, window, chance)
        self.last_ms = (time.perf_counter() - t0) * 1e3
        return chances

    def _scaled(self, frame: np.ndarray, boxes: np.ndarray, scale: float) -> list[tuple[Window, np.ndarray]]:
        """Each box's window in the pixels of the frame scaled by ``scale``, with its crop's chances."""
        windows = self._windows(boxes)
        return [
            (
                (
                    int(np.floor(x0 * scale)),
                    int(np.floor(y0 * scale)),
                    int(np.ceil(x1 * scale)),
                    int(np.ceil(y1 * scale)),
                ),
                chance,
            )
            for (x0, y0, x1, y1), chance in zip(windows, self._chances(frame, windows), strict=True)
        ]

    def _windows(self, boxes: np.ndarray) -> list[Window]:
        return [crop_window(b, self.manifest.margin) for b in np.asarray(boxes, np.float32).reshape(-1, 4)]

    def _chances(self, frame: np.ndarray, windows: list[Window]) -> np.ndarray:
        w, h = self.manifest.input_size
        if not windows:
            return np.zeros((0, h, w), np.float32)
        colour = frame if frame.ndim == 3 else cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
        batch = np.stack([crop(colour, window, (w, h)) for window in windows])
        x = np.ascontiguousarray(batch.transpose(0, 3, 1, 2), np.float32) / 255.0
        out = self.session.run(None, {self._input.name: x})[0]
        return np.asarray(out, np.float32)[:, 0]

    def _check_shapes(self) -> None:
        m = self.manifest
        w, h = m.input_size
        for what, port, channels in (("input", self._input, 3), ("output", self.session.get_outputs()[0], 1)):
            shape = list(port.shape)
            if len(shape) != 4 or [fixed_dim(d) for d in shape[1:]] != [channels, h, w]:
                raise ModelError(m.name, "shape", f"{what} {shape} is not [batch, {channels}, {h}, {w}]")
