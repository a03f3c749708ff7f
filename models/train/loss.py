"""Detection loss: BCE on soft (alignment-quality) class targets over every cell, GIoU on the assigned boxes,
both normalised by the sum of the class targets (as YOLOv8 does)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from models.train.assign import assign, generalized_iou
from models.train.net import anchor_grid, decode_outputs


@dataclass(frozen=True)
class LossParts:
    total: Tensor
    box: float
    cls: float
    positives: int


def detection_loss(
    maps: list[Tensor], gt_boxes: Tensor, gt_classes: Tensor, box_gain: float = 7.5, cls_gain: float = 0.5
) -> LossParts:
    pred_boxes, logits = decode_outputs(maps)
    sizes = [(int(m.shape[2]), int(m.shape[3])) for m in maps]
    points, _ = anchor_grid(sizes, logits.device)
    targets = assign(logits.detach().sigmoid(), pred_boxes.detach(), points, gt_boxes, gt_classes)
    norm = targets.scores.sum().clamp(min=1.0)
    cls_loss = F.binary_cross_entropy_with_logits(logits, targets.scores, reduction="sum") / norm
    fg = targets.foreground
    if fg.any():
        weight = targets.scores.sum(-1)[fg]
        giou = generalized_iou(pred_boxes[fg], targets.boxes[fg])
        box_loss = ((1.0 - giou) * weight).sum() / norm
    else:
        box_loss = pred_boxes.sum() * 0.0
    total = (box_gain * box_loss + cls_gain * cls_loss) * gt_boxes.shape[0]
    return LossParts(total, float(box_loss.detach()), float(cls_loss.detach()), int(fg.sum()))


def lr_factor(progress: float, warmup: float = 0.03, floor: float = 0.05) -> float:
    """Linear warm-up then cosine decay to ``floor``, over ``progress`` in 0..1 (steps or time, whichever
    is further along, so a time budget ends on a low learning rate)."""
    if progress < warmup:
        return max(progress / warmup, 0.01)
    t = min((progress - warmup) / (1 - warmup), 1.0)
    return floor + (1 - floor) * 0.5 * (1 + torch.cos(torch.tensor(t * torch.pi)).item())
