"""Tiny YOLO-layout ONNX models for tests: the output is a fixed prediction tensor, tied to the input.

``output = predictions + 0 * mean(images)`` — a real graph that onnxruntime runs, whose output shape and
values we choose, so decoding, thresholds, NMS, manifests and shape checks go through the real runtime.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import onnx
import yaml
from onnx import TensorProto, helper, numpy_helper


def build_model(
    path: Path, predictions: np.ndarray, input_size: tuple[int, int], dynamic_batch: bool = False
) -> Path:
    """``predictions`` is one image's output, e.g. (4 + nc, N) for yolov8 or (N, 5 + nc) for yolov5."""
    width, height = input_size
    batch: int | str = "batch" if dynamic_batch else 1
    images = helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, height, width])
    out_shape = [batch, *predictions.shape]
    output = helper.make_tensor_value_info("output0", TensorProto.FLOAT, out_shape)
    const = numpy_helper.from_array(predictions[None].astype(np.float32), name="preds")
    zero = numpy_helper.from_array(np.array(0.0, np.float32), name="zero")
    shape = numpy_helper.from_array(np.array([-1, 1, 1], np.int64), name="shape")
    nodes = [
        helper.make_node("ReduceMean", ["images"], ["mean"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Reshape", ["mean", "shape"], ["mean3"]),
        helper.make_node("Mul", ["mean3", "zero"], ["tied"]),
        helper.make_node("Add", ["preds", "tied"], ["output0"]),
    ]
    graph = helper.make_graph(nodes, "tiny_yolo", [images], [output], initializer=[const, zero, shape])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def write_manifest(
    folder: Path,
    model: Path,
    layout: str,
    classes: list[str],
    input_size: tuple[int, int],
    per_class: dict[str, float] | None = None,
    sha256: str | None = None,
) -> Path:
    manifest = {
        "name": "tiny",
        "version": "0.0.1",
        "file": model.name,
        "sha256": sha256 or hashlib.sha256(model.read_bytes()).hexdigest(),
        "layout": layout,
        "input_size": list(input_size),
        "classes": classes,
        "thresholds": {"confidence": 0.3, "per_class": per_class or {}, "nms_iou": 0.5},
    }
    path = folder / f"{model.stem}.manifest.yaml"
    path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return path


def yolov8_predictions(
    boxes: list[tuple[float, float, float, float, int, float]], nc: int, n: int
) -> np.ndarray:
    """(4 + nc, n) with the given (cx, cy, w, h, class, score) rows first and empty rows after."""
    preds = np.zeros((4 + nc, n), np.float32)
    preds[:4, :] = 1.0
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        preds[:4, i] = (cx, cy, w, h)
        preds[4 + cls, i] = score
    return preds


def yolov5_predictions(
    boxes: list[tuple[float, float, float, float, int, float]], nc: int, n: int
) -> np.ndarray:
    """(n, 5 + nc): objectness = score, class score 1.0."""
    preds = np.zeros((n, 5 + nc), np.float32)
    preds[:, 2:4] = 1.0
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        preds[i, :5] = (cx, cy, w, h, score)
        preds[i, 5 + cls] = 1.0
    return preds
