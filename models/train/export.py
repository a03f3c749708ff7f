"""Export to ONNX in the YOLOv8 layout ``[1, 4 + nc, N]``: BN folded into the convolutions, boxes decoded
in the graph to (cx, cy, w, h) in input pixels, sigmoid class scores. Static ``[1, 3, S, S]`` input; the
graph uses only Conv, Sigmoid, Mul, Add, Sub, Concat, MaxPool, Resize (nearest), Reshape and Slice, which
both onnxruntime and OpenCV DNN load; ``check_runtimes`` proves it on real frames.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from models.train import STRIDES
from models.train.net import ConvBN, anchor_grid

OPSET = 17


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """A copy whose ConvBN blocks are a single biased Conv followed by SiLU (eval-mode BN folded in)."""
    folded = copy.deepcopy(model).eval()
    for module in folded.modules():
        if isinstance(module, ConvBN):
            conv, bn = module[0], module[1]
            if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                raise TypeError(f"unexpected ConvBN layout {module}")
            fused = torch.nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
            module[0] = fused
            module[1] = nn.Identity()
    return folded


class Decoded(nn.Module):
    """The trained network plus in-graph decoding for one static input size."""

    def __init__(self, model: nn.Module, size: int) -> None:
        super().__init__()
        self.model = model
        points, strides = anchor_grid([(size // s, size // s) for s in STRIDES], torch.device("cpu"))
        self.register_buffer("points", points.T[None].contiguous())  # (1, 2, N)
        self.register_buffer("strides", strides[None, None])  # (1, 1, N)

    def forward(self, x: Tensor) -> Tensor:
        maps = self.model(x)
        raw = torch.cat([m.reshape(1, m.shape[1], -1) for m in maps], 2)  # (1, 4 + nc, N)
        half = torch.sigmoid(raw[:, :4]) * 2
        dist = half * half * 4 * self.strides  # type: ignore[operator]
        lt, rb = dist[:, :2], dist[:, 2:]
        centre = self.points + (rb - lt) * 0.5  # type: ignore[operator]
        return torch.cat([centre, lt + rb, torch.sigmoid(raw[:, 4:])], 1)


def export_onnx(model: nn.Module, size: int, path: Path) -> Path:
    wrapped = Decoded(fold_batchnorm(model), size).eval()
    dummy = torch.zeros(1, 3, size, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # the TorchScript exporter is deprecated (torch.export is the future); it is kept because its plain
        # opset-17 graph is the one checked here to load and agree in onnxruntime and OpenCV DNN
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        torch.onnx.export(
            wrapped,
            (dummy,),
            str(path),
            input_names=["images"],
            output_names=["output0"],
            opset_version=OPSET,
            dynamo=False,
            do_constant_folding=True,
        )
    import onnx

    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    ops = sorted({n.op_type for n in proto.graph.node})
    print(f"exported {path} ({path.stat().st_size / 1e6:.2f} MB), ops {ops}", flush=True)
    return path


def check_runtimes(path: Path, blobs: list[np.ndarray], atol: float = 1e-2) -> float:
    """Run ORT and OpenCV DNN on the same letterboxed frames; the largest absolute output difference.
    Raises if it exceeds ``atol`` (pixels for boxes, 0..1 for scores)."""
    import cv2
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    net = cv2.dnn.readNetFromONNX(str(path))
    worst = 0.0
    for blob in blobs:
        a = session.run(None, {"images": blob})[0]
        net.setInput(blob)
        b = net.forward()
        if a.shape != b.shape:
            raise RuntimeError(f"onnxruntime output {a.shape} but OpenCV DNN {b.shape}")
        worst = max(worst, float(np.abs(a - b).max()))
    if worst > atol:
        raise RuntimeError(f"onnxruntime and OpenCV DNN differ by {worst} > {atol}")
    return worst
