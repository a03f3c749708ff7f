"""The shipped reference model, run for real: an e-bike in a generated lift still (held-out seed 90, never
trained on; written by ``sharpeyes synth elevator --seed 90 --stills 600``) is found where the label says."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from edge.analyzers import DEFAULT_INDOOR_MANIFEST
from edge.detect.decode import iou_matrix
from edge.detect.runtime import Detector, SessionPool

STILL = Path(__file__).parent / "data" / "lift-s90-00010.jpg"


def _truth(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = frame.shape[:2]
    rows = np.loadtxt(STILL.with_suffix(".txt"), ndmin=2)
    cx, cy, bw, bh = rows[:, 1] * w, rows[:, 2] * h, rows[:, 3] * w, rows[:, 4] * h
    return np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1), rows[:, 0].astype(int)


def test_the_shipped_model_finds_the_ebike_in_a_held_out_lift_still() -> None:
    detector = Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, SessionPool(1))
    frame = cv2.imread(str(STILL))
    assert frame is not None, STILL
    boxes, classes = _truth(frame)
    ebike_class = detector.class_names.index("ebike")
    dets = detector.detect(frame)
    ebikes = dets.xyxy[dets.class_id == ebike_class]
    assert len(ebikes) == 1, (dets.xyxy, dets.class_id, dets.confidence)
    assert iou_matrix(ebikes, boxes[classes == ebike_class]).max() >= 0.5
    person = detector.class_names.index("person")
    assert person in dets.class_id.tolist()  # the man behind it is seen too, as a person
