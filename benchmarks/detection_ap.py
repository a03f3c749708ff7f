"""Average precision at an IoU threshold, VOC style (all-point interpolation), as small pure functions.

``match`` decides, per image and class, which detections are true positives (greedy by score, each
ground-truth box matched at most once); ``average_precision`` turns all images' (score, is_tp) pairs of a
class and its ground-truth count into AP: the area under the precision envelope over recall.
"""

from __future__ import annotations

import numpy as np

from edge.detect.decode import iou_matrix  # the runtime's own IoU: the metric and NMS agree on overlap


def match(pred: np.ndarray, scores: np.ndarray, truth: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """One image, one class: ``is_tp`` per detection (in the given order). A detection is a true positive
    when its best-overlapping still-unmatched ground-truth box has IoU >= ``iou``; higher scores match
    first."""
    is_tp = np.zeros(len(pred), bool)
    if len(pred) == 0 or len(truth) == 0:
        return is_tp
    overlaps = iou_matrix(np.asarray(pred, float), np.asarray(truth, float))
    taken = np.zeros(len(truth), bool)
    for i in np.argsort(-np.asarray(scores), kind="stable"):
        candidates = np.where(taken, -1.0, overlaps[i])
        j = int(np.argmax(candidates))
        if candidates[j] >= iou:
            taken[j] = True
            is_tp[i] = True
    return is_tp


def average_precision(scores: np.ndarray, is_tp: np.ndarray, n_truth: int) -> float:
    """VOC all-point AP. NaN when there is no ground truth (undefined, not zero)."""
    if n_truth == 0:
        return float("nan")
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    hits = np.asarray(is_tp, bool)[order]
    tp = np.cumsum(hits)
    fp = np.cumsum(~hits)
    recall = tp / n_truth
    precision = tp / np.maximum(tp + fp, 1)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[1.0], precision, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]  # the precision envelope: best precision at >= recall
    steps = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[steps + 1] - mrec[steps]) * mpre[steps + 1]))


def best_f1_threshold(
    scores: np.ndarray, is_tp: np.ndarray, n_truth: int, floor: float = 0.05
) -> tuple[float, float, float]:
    """The score threshold (>= ``floor``) with the best F1: (threshold, precision, recall) there.
    ``(floor, nan, nan)`` when there is nothing to choose from."""
    scores = np.asarray(scores, float)
    hits = np.asarray(is_tp, bool)
    keep = scores >= floor
    scores, hits = scores[keep], hits[keep]
    if n_truth == 0 or len(scores) == 0:
        return floor, float("nan"), float("nan")
    order = np.argsort(-scores, kind="stable")
    scores, hits = scores[order], hits[order]
    tp = np.cumsum(hits)
    precision = tp / np.arange(1, len(hits) + 1)
    recall = tp / n_truth
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    # a threshold is only well defined at the last of equal scores
    last = np.r_[scores[1:] != scores[:-1], True]
    best = int(np.flatnonzero(last)[np.argmax(f1[last])])
    return float(scores[best]), float(precision[best]), float(recall[best])
