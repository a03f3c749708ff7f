"""The fall's evidence picture and the frame ring it is drawn from."""

from __future__ import annotations

import cv2
import numpy as np

from edge.throw.evidence import FrameRing, compose
from edge.throw.floors import FloorScale


def _frame(t: float) -> np.ndarray:
    img = np.full((360, 640, 3), 90, np.uint8)
    cv2.circle(img, (320, int(40 + 200 * t)), 6, (20, 220, 250), -1)  # the falling object
    return img


def test_the_ring_keeps_compressed_frames_at_its_rate_and_length() -> None:
    ring = FrameRing(seconds=2.0, every_s=0.2, scale=0.5)
    for i in range(60):  # 6 s at 10 fps: offered every frame, kept every 0.2 s, the last 2 s
        ring.offer(_frame(i / 10), i / 10)
    assert len(ring.frames) == 10
    assert [round(f.t, 1) for f in ring.frames] == [round(4.0 + 0.2 * i, 1) for i in range(10)]
    raw = 180 * 320 * 3
    assert all(len(f.jpeg) < raw / 4 for f in ring.frames)  # kept compressed, not as pixels
    image = ring.frames[-1].image
    assert image.shape == (180, 320, 3)
    assert np.abs(image.astype(int) - cv2.resize(_frame(5.8), (320, 180)).astype(int)).mean() < 3


def test_compose_draws_from_the_ring() -> None:
    ring = FrameRing(seconds=3.0, every_s=0.1, scale=0.5)
    for i in range(12):
        ring.offer(_frame(i / 10), i / 10)
    points = [(i / 10, 320.0, 40 + 200 * i / 10) for i in range(12)]
    jpeg = compose(ring, points, FloorScale((350.0, 280.0, 210.0, 140.0, 70.0), 3.0), origin_floor=4)
    assert jpeg is not None
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    assert img.shape[1] == 320 and img.shape[0] > 180  # the facade, then the strip of crops
