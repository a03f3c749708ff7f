"""A small anchor-free YOLO-style detector: conv-BN-SiLU CSP backbone (strides 8/16/32), a PAN neck, and a
per-level head predicting four box distances and class logits at every grid cell.

Box distances are ``(2 * sigmoid(x)) ** 2 * 4 * stride`` (0 .. 16 strides from the cell centre): bounded,
and built from Sigmoid/Mul only, so the exported graph stays within what both onnxruntime and OpenCV DNN run.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from models.train import STRIDES


class ConvBN(nn.Sequential):
    def __init__(self, c_in: int, c_out: int, k: int = 3, s: int = 1) -> None:
        super().__init__(
            nn.Conv2d(c_in, c_out, k, s, 0 if k == s else k // 2, bias=False),
            nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.03),
            nn.SiLU(inplace=True),
        )


class Bottleneck(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.a = ConvBN(c, c, 3)
        self.b = ConvBN(c, c, 3)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.b(self.a(x))


class CSP(nn.Module):
    """Cross-stage partial block: half the channels skip the bottlenecks, then both halves are fused."""

    def __init__(self, c_in: int, c_out: int, n: int = 1) -> None:
        super().__init__()
        h = c_out // 2
        self.skip = ConvBN(c_in, h, 1)
        self.main = ConvBN(c_in, h, 1)
        self.blocks = nn.Sequential(*(Bottleneck(h) for _ in range(n)))
        self.fuse = ConvBN(2 * h, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        return self.fuse(torch.cat([self.skip(x), self.blocks(self.main(x))], 1))


class SPPF(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        h = c // 2
        self.reduce = ConvBN(c, h, 1)
        self.pool = nn.MaxPool2d(5, 1, 2)
        self.fuse = ConvBN(4 * h, c, 1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.reduce(x)
        p1 = self.pool(x)
        p2 = self.pool(p1)
        return self.fuse(torch.cat([x, p1, p2, self.pool(p2)], 1))


class Head(nn.Module):
    """One level: a shared 3x3 conv, then 1x1 box (4) and class (nc) outputs."""

    def __init__(self, c: int, nc: int, stride: int) -> None:
        super().__init__()
        self.stem = ConvBN(c, c, 3)
        self.box = nn.Conv2d(c, 4, 1)
        self.cls = nn.Conv2d(c, nc, 1)
        with torch.no_grad():
            self.box.bias.fill_(-0.6)  # type: ignore[union-attr]  # distance ~ 2 strides at the start
            # prior: ~5 objects over a 320x320 image's cells at this stride
            self.cls.bias.fill_(math.log(5 / nc / (320 / stride) ** 2))  # type: ignore[union-attr]

    def forward(self, x: Tensor) -> Tensor:
        x = self.stem(x)
        return torch.cat([self.box(x), self.cls(x)], 1)


class IndoorDet(nn.Module):
    """Returns, per level, raw ``(B, 4 + nc, H, W)`` maps; ``decode_outputs`` turns them into boxes."""

    def __init__(self, nc: int, width: tuple[int, ...] = (24, 32, 48, 80, 128)) -> None:
        super().__init__()
        c1, c2, c3, c4, c5 = width
        self.nc = nc
        # a 4x4 stride-4 patch stem: the full-resolution layers dominate CPU training time, and the
        # generated scenes need no fine texture at stride 2
        self.stem = nn.Sequential(ConvBN(3, c1, 4, 4), ConvBN(c1, c2, 3, 1))
        self.dark3 = nn.Sequential(ConvBN(c2, c3, 3, 2), CSP(c3, c3))
        self.dark4 = nn.Sequential(ConvBN(c3, c4, 3, 2), CSP(c4, c4))
        self.dark5 = nn.Sequential(ConvBN(c4, c5, 3, 2), CSP(c5, c5), SPPF(c5))
        self.up = nn.Upsample(scale_factor=2.0, mode="nearest")
        self.top_down4 = CSP(c5 + c4, c4)
        self.top_down3 = CSP(c4 + c3, c3)
        self.down3 = ConvBN(c3, c3, 3, 2)
        self.bottom_up4 = CSP(c3 + c4, c4)
        self.down4 = ConvBN(c4, c4, 3, 2)
        self.bottom_up5 = CSP(c4 + c5, c5)
        self.heads = nn.ModuleList(Head(c, nc, s) for c, s in zip((c3, c4, c5), STRIDES, strict=True))

    def forward(self, x: Tensor) -> list[Tensor]:
        p3 = self.dark3(self.stem(x))
        p4 = self.dark4(p3)
        p5 = self.dark5(p4)
        t4 = self.top_down4(torch.cat([self.up(p5), p4], 1))
        n3 = self.top_down3(torch.cat([self.up(t4), p3], 1))
        n4 = self.bottom_up4(torch.cat([self.down3(n3), t4], 1))
        n5 = self.bottom_up5(torch.cat([self.down4(n4), p5], 1))
        return [head(f) for head, f in zip(self.heads, (n3, n4, n5), strict=True)]


def anchor_grid(sizes: list[tuple[int, int]], device: torch.device) -> tuple[Tensor, Tensor]:
    """Cell centres (N, 2) in input pixels and their strides (N,), levels flattened in order."""
    points, strides = [], []
    for (h, w), s in zip(sizes, STRIDES, strict=True):
        ys, xs = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device), indexing="ij")
        points.append(torch.stack([xs, ys], -1).reshape(-1, 2).float().add(0.5).mul(s))
        strides.append(torch.full((h * w,), float(s), device=device))
    return torch.cat(points), torch.cat(strides)


def flatten_levels(maps: list[Tensor]) -> Tensor:
    """Per-level ``(B, C, H, W)`` → ``(B, C, N)``."""
    return torch.cat([m.flatten(2) for m in maps], 2)


def distances(raw_box: Tensor, strides: Tensor) -> Tensor:
    """Raw box logits ``(..., 4, N)`` → left, top, right, bottom distances in pixels."""
    return (2 * torch.sigmoid(raw_box)) ** 2 * 4 * strides


def decode_outputs(maps: list[Tensor]) -> tuple[Tensor, Tensor]:
    """(boxes xyxy ``(B, N, 4)`` in input pixels, class logits ``(B, N, nc)``)."""
    raw = flatten_levels(maps)
    points, strides = anchor_grid([tuple(m.shape[2:]) for m in maps], raw.device)  # type: ignore[misc]
    d = distances(raw[:, :4], strides).transpose(1, 2)
    xyxy = torch.cat([points - d[..., :2], points + d[..., 2:]], -1)
    return xyxy, raw[:, 4:].transpose(1, 2)


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
