"""Decoding YOLO-family outputs into boxes, then per-class thresholds and class-aware NMS.

Two layouts: ``[1, 4 + nc, N]`` (YOLOv8 / YOLO11: cx, cy, w, h, then class scores) and ``[1, N, 5 + nc]``
(YOLOv5: cx, cy, w, h, objectness, class scores; score = objectness x class score).
"""

from __future__ import annotations

import numpy as np

from edge.detect.manifest import Layout


def decode(output: np.ndarray, layout: Layout, num_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's raw output → (xyxy in model-input pixels, score, class id), before thresholds and NMS."""
    if layout is Layout.YOLOV8:
        if output.ndim != 2 or output.shape[0] != 4 + num_classes:
            raise ValueError(f"yolov8 output must be [4+{num_classes}, N], got {list(output.shape)}")
        preds = output.T  # (N, 4 + nc)
        boxes, class_scores = preds[:, :4], preds[:, 4:]
        class_id = class_scores.argmax(axis=1)
        score = class_scores[np.arange(len(preds)), class_id]
    else:
        if output.ndim != 2 or output.shape[1] != 5 + num_classes:
            raise ValueError(f"yolov5 output must be [N, 5+{num_classes}], got {list(output.shape)}")
        boxes, objectness, class_scores = output[:, :4], output[:, 4], output[:, 5:]
        class_id = class_scores.argmax(axis=1)
        score = objectness * class_scores[np.arange(len(output)), class_id]
    cx, cy = boxes[:, 0], boxes[:, 1]
    w, h = np.maximum(boxes[:, 2], 0), np.maximum(boxes[:, 3], 0)  # a negative size is no box at all
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    return xyxy, score.astype(np.float32), class_id.astype(np.int64)


def intersection_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Area every box in ``a`` (M, 4) shares with every box in ``b`` (N, 4): (M, N)."""
    ix1 = np.maximum(a[:, None, 0], b[None, :, 0])
    iy1 = np.maximum(a[:, None, 1], b[None, :, 1])
    ix2 = np.minimum(a[:, None, 2], b[None, :, 2])
    iy2 = np.minimum(a[:, None, 3], b[None, :, 3])
    return np.asarray(np.clip(ix2 - ix1, 0, None) * np.clip(iy2 - iy1, 0, None))


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (M, 4) with every box in ``b`` (N, 4)."""
    inter = intersection_matrix(a, b)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0)


def nms(xyxy: np.ndarray, score: np.ndarray, class_id: np.ndarray, iou: float, limit: int) -> np.ndarray:
    """Indices kept by greedy class-aware NMS, best first. Boxes of different classes never suppress."""
    order = np.argsort(-score, kind="stable")
    keep: list[int] = []
    suppressed = np.zeros(len(order), bool)
    overlaps = iou_matrix(xyxy[order], xyxy[order]) if len(order) else np.zeros((0, 0))
    same_class = class_id[order][:, None] == class_id[order][None, :]
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(int(order[i]))
        if len(keep) >= limit:
            break
        suppressed |= (overlaps[i] > iou) & same_class[i]
    return np.asarray(keep, np.int64)


def apply_thresholds(score: np.ndarray, class_id: np.ndarray, per_class: np.ndarray) -> np.ndarray:
    """Mask of detections at or above their class's threshold (``per_class[c]``)."""
    return score >= per_class[class_id]
