"""A real YOLOv8/YOLO11 export has 80 COCO classes, not our 7: it must load through the same manifest path
(``Detector.from_manifest``) and decode, so dropping one in needs only a manifest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.detect.errors import ModelError
from edge.detect.runtime import Detector, SessionPool
from tests.edge.detect.onnx_fixtures import build_model, write_manifest, yolov8_predictions

COCO_LIKE = [f"class{i}" for i in range(80)]
COCO_LIKE[0], COCO_LIKE[1], COCO_LIKE[24] = "person", "bicycle", "backpack"
COCO_LIKE[79] = "electric_bicycle"  # a fine-tuned export with an e-bike class at the end


def test_an_80_class_yolov8_export_loads_and_decodes(tmp_path: Path) -> None:
    # two objects in 640x640 input pixels: a person (class 0) and an e-bike (class 79)
    preds = yolov8_predictions([(320, 160, 100, 200, 0, 0.9), (160, 480, 200, 100, 79, 0.8)], nc=80, n=8400)
    model = build_model(tmp_path / "yolo11n.onnx", preds, (640, 640))
    manifest = write_manifest(
        tmp_path, model, "yolov8", COCO_LIKE, (640, 640), per_class={"electric_bicycle": 0.5}
    )
    detector = Detector.from_manifest(manifest, SessionPool(1))
    dets = detector.detect(np.zeros((480, 640, 3), np.uint8))  # letterbox: scale 1, 80 px bars top and bottom
    names = [detector.class_names[c] for c in dets.class_id]
    assert sorted(names) == ["electric_bicycle", "person"]
    ebike = dets.xyxy[names.index("electric_bicycle")]
    np.testing.assert_allclose(ebike, [60, 350, 260, 450], atol=1e-3)


def test_class_count_mismatch_is_a_shape_error(tmp_path: Path) -> None:
    preds = yolov8_predictions([], nc=80, n=100)
    model = build_model(tmp_path / "yolo.onnx", preds, (640, 640))
    manifest = write_manifest(tmp_path, model, "yolov8", COCO_LIKE[:7], (640, 640))
    with pytest.raises(ModelError) as err:
        Detector.from_manifest(manifest, SessionPool(1))
    assert err.value.check == "shape" and "4+7" in str(err.value)
