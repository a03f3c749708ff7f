"""Task-aligned label assignment (as in TOOD / YOLOv8): each ground-truth box takes the ``topk`` grid cells
inside it whose prediction best combines class score and IoU, ``score**alpha * iou**beta``; a cell claimed by
two boxes goes to the one it overlaps most. Class targets are that alignment, normalised per box to its best
IoU, so the class score learns to rank boxes by localisation quality too.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor


def box_iou(a: Tensor, b: Tensor, eps: float = 1e-7) -> Tensor:
    """IoU of broadcastable xyxy boxes ``(..., 4)``."""
    iw = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    ih = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / (area_a + area_b - inter + eps)


def generalized_iou(a: Tensor, b: Tensor, eps: float = 1e-7) -> Tensor:
    """GIoU of matched xyxy boxes ``(..., 4)``: IoU minus the empty share of the enclosing box."""
    iou = box_iou(a, b, eps)
    cw = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    ch = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    hull = cw * ch + eps
    iw = (torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])).clamp(min=0)
    ih = (torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])).clamp(min=0)
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) + (b[..., 2] - b[..., 0]) * (
        b[..., 3] - b[..., 1]
    )
    union = union - iw * ih
    return iou - (hull - union) / hull


@dataclass(frozen=True)
class Targets:
    boxes: Tensor  # (B, N, 4) xyxy of the assigned ground truth (meaningless where not foreground)
    scores: Tensor  # (B, N, nc) soft class targets
    foreground: Tensor  # (B, N) bool


@torch.no_grad()
def assign(
    scores: Tensor,
    pred_boxes: Tensor,
    points: Tensor,
    gt_boxes: Tensor,
    gt_classes: Tensor,
    topk: int = 10,
    alpha: float = 0.5,
    beta: float = 6.0,
) -> Targets:
    """``scores`` (B, N, nc) sigmoid, ``pred_boxes`` (B, N, 4), ``points`` (N, 2) cell centres,
    ``gt_boxes`` (B, M, 4), ``gt_classes`` (B, M) with -1 for padding."""
    batch, n, nc = scores.shape
    m = gt_boxes.shape[1]
    valid = gt_classes >= 0
    px, py = points[:, 0], points[:, 1]
    inside = (
        (px > gt_boxes[..., 0:1])
        & (px < gt_boxes[..., 2:3])
        & (py > gt_boxes[..., 1:2])
        & (py < gt_boxes[..., 3:4])
        & valid[..., None]
    )  # (B, M, N)
    iou = box_iou(gt_boxes[:, :, None, :], pred_boxes[:, None, :, :]) * inside
    cls_index = gt_classes.clamp(min=0)[:, :, None].expand(batch, m, n)
    score = scores.transpose(1, 2).gather(1, cls_index)  # (B, M, N)
    metric = score.pow(alpha) * iou.pow(beta) * inside
    # rank by metric, but where it is all zero (an untrained model) still prefer cells inside the box
    top = (metric + inside * 1e-9).topk(min(topk, n), dim=2).indices
    candidate = torch.zeros_like(inside).scatter_(2, top, True) & inside
    claimed = candidate.sum(1) > 1  # (B, N)
    if claimed.any():
        best = F.one_hot((iou * candidate).argmax(1), m).transpose(1, 2).bool()
        candidate = torch.where(claimed[:, None, :], best & candidate, candidate)
    foreground = candidate.any(1)
    gt_index = candidate.float().argmax(1)  # (B, N)
    boxes = gt_boxes.gather(1, gt_index[..., None].expand(batch, n, 4))
    classes = gt_classes.gather(1, gt_index).clamp(min=0)
    metric = metric * candidate
    best_metric = metric.amax(2, keepdim=True)
    best_iou = (iou * candidate).amax(2, keepdim=True)
    quality = (metric * best_iou / (best_metric + 1e-9)).amax(1)  # (B, N)
    target_scores = F.one_hot(classes, nc).float() * (quality * foreground)[..., None]
    return Targets(boxes, target_scores, foreground)
