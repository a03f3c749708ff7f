"""The detector through the real onnxruntime path, on tiny ONNX models with known outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from edge.detect import Detector, ModelError, SessionPool
from edge.detect.decode import nms
from edge.detect.letterbox import letterbox
from tests.edge.detect.onnx_fixtures import (
    build_model,
    write_manifest,
    yolov5_predictions,
    yolov8_predictions,
)

CLASSES = ["person", "bicycle", "ebike"]
SIZE = (320, 320)

# two overlapping e-bikes (NMS keeps the better), one person, one weak bicycle, in model-input pixels
BOXES = [
    (160.0, 200.0, 80.0, 60.0, 2, 0.9),
    (162.0, 202.0, 80.0, 60.0, 2, 0.8),
    (60.0, 120.0, 30.0, 90.0, 0, 0.7),
    (250.0, 250.0, 40.0, 40.0, 1, 0.32),
]


def make_detector(
    tmp_path: Path, layout: str, per_class: dict[str, float] | None = None, **kw: bool
) -> Detector:
    nc = len(CLASSES)
    preds = yolov8_predictions(BOXES, nc, 50) if layout == "yolov8" else yolov5_predictions(BOXES, nc, 50)
    model = build_model(tmp_path / f"{layout}.onnx", preds, SIZE, **kw)
    return Detector.from_manifest(
        write_manifest(tmp_path, model, layout, CLASSES, SIZE, per_class), SessionPool(1)
    )


@pytest.mark.parametrize(
    "layout", [pytest.param("yolov8", id="v8-[1,4+nc,N]"), pytest.param("yolov5", id="v5-[1,N,5+nc]")]
)
def test_decode_nms_and_letterbox_back_to_frame_pixels(tmp_path: Path, layout: str) -> None:
    detector = make_detector(tmp_path, layout)
    frame = np.zeros((160, 320, 3), np.uint8)  # 2:1 frame → scale 1, padded 80 px top and bottom
    found = detector.detect(frame)
    names = sorted(CLASSES[c] for c in found.class_id)
    assert names == ["bicycle", "ebike", "person"], "overlapping e-bike suppressed, weak bicycle kept at 0.3"
    ebike = found.xyxy[found.class_id == 2][0]
    np.testing.assert_allclose(ebike, [120, 90, 200, 150], atol=0.5)  # (160±40, 200-80±30)
    assert float(found.confidence[found.class_id == 2][0]) == pytest.approx(0.9)


def test_per_class_threshold_drops_weak_class(tmp_path: Path) -> None:
    found = make_detector(tmp_path, "yolov8", per_class={"bicycle": 0.5}).detect(
        np.zeros((320, 320, 3), np.uint8)
    )
    assert "bicycle" not in {CLASSES[c] for c in found.class_id}


def test_batch_across_cameras_in_one_run(tmp_path: Path) -> None:
    detector = make_detector(tmp_path, "yolov8", dynamic_batch=True)
    assert detector.dynamic_batch
    results = detector.detect_batch([np.zeros((320, 320, 3), np.uint8)] * 3)
    assert [len(r) for r in results] == [3, 3, 3]


def test_sessions_are_shared_across_cameras(tmp_path: Path) -> None:
    nc = len(CLASSES)
    model = build_model(tmp_path / "m.onnx", yolov8_predictions(BOXES, nc, 10), SIZE)
    manifest = write_manifest(tmp_path, model, "yolov8", CLASSES, SIZE)
    pool = SessionPool(1)
    a, b = Detector.from_manifest(manifest, pool), Detector.from_manifest(manifest, pool)
    assert a.session is b.session and len(pool) == 1


@pytest.mark.parametrize(
    ("case", "check"),
    [
        pytest.param("missing", "missing_file", id="missing-file"),
        pytest.param("checksum", "checksum", id="checksum-mismatch"),
        pytest.param("classes", "shape", id="output-does-not-fit-classes"),
        pytest.param("input", "shape", id="input-size-differs"),
        pytest.param("layout", "shape", id="v5-model-declared-v8"),
    ],
)
def test_manifest_problems_name_the_check(tmp_path: Path, case: str, check: str) -> None:
    nc = len(CLASSES)
    model = build_model(tmp_path / "m.onnx", yolov8_predictions(BOXES, nc, 10), SIZE)
    classes, size, layout, sha = CLASSES, SIZE, "yolov8", None
    if case == "missing":
        model.unlink()
        sha = "0" * 64
    elif case == "checksum":
        sha = hashlib.sha256(b"another file").hexdigest()
    elif case == "classes":
        classes = [*CLASSES, "dog"]
    elif case == "input":
        size = (640, 640)
    elif case == "layout":
        model = build_model(tmp_path / "m.onnx", yolov5_predictions(BOXES, nc, 10), SIZE)
    manifest = write_manifest(tmp_path, model, layout, classes, size, sha256=sha)
    with pytest.raises(ModelError) as err:
        Detector.from_manifest(manifest, SessionPool(1))
    assert err.value.check == check
    assert "tiny" in str(err.value) or "m.onnx" in str(err.value)


def test_letterbox_round_trip() -> None:
    frame = np.zeros((480, 640, 3), np.uint8)
    blob, box = letterbox(frame, (320, 320))
    assert blob.shape == (1, 3, 320, 320)
    back = box.to_frame(np.array([[0, 40, 320, 280]], np.float32))
    np.testing.assert_allclose(back, [[0, 0, 640, 480]], atol=1)


def test_nms_never_suppresses_across_classes() -> None:
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]], np.float32)
    keep = nms(boxes, np.array([0.9, 0.8, 0.7], np.float32), np.array([0, 0, 1]), iou=0.5, limit=10)
    assert sorted(keep.tolist()) == [0, 2]


def test_boxes_in_the_letterbox_padding_are_dropped_and_edges_clipped(tmp_path: Path) -> None:
    """Regression: a random-weight model put boxes into the padding; Detections refused x2 < x1 there."""
    nc = len(CLASSES)
    boxes = [(160.0, 20.0, 40.0, 30.0, 2, 0.9), (5.0, 160.0, 30.0, 30.0, 0, 0.9)]  # in padding; over the edge
    model = build_model(tmp_path / "pad.onnx", yolov8_predictions(boxes, nc, 10), SIZE)
    detector = Detector.from_manifest(
        write_manifest(tmp_path, model, "yolov8", CLASSES, SIZE), SessionPool(1)
    )
    found = detector.detect(np.zeros((160, 320, 3), np.uint8))  # padded 80 px above and below
    assert len(found) == 1
    np.testing.assert_allclose(found.xyxy[0], [0, 65, 20, 95], atol=0.5)
