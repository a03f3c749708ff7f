"""A small U-Net over a person box's crop: two stride-2 stages down, two up with skip connections, one
logit per pixel. About 100 k parameters and 46 M multiply-adds per crop: a frame's few boxes cost a few
milliseconds on one core. Conv-BN-ReLU and nearest upsampling only, so the ONNX graph is plain."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def block(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)
    )


class SilhouetteNet(nn.Module):
    def __init__(self, width: int = 16) -> None:
        super().__init__()
        c1, c2, c3 = width, 2 * width, 3 * width
        self.enc1 = nn.Sequential(block(3, c1), block(c1, c1))
        self.enc2 = nn.Sequential(block(c1, c2, 2), block(c2, c2))
        self.enc3 = nn.Sequential(block(c2, c3, 2), block(c3, c3), block(c3, c3))
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec2 = block(c3 + c2, c2)
        self.dec1 = block(c2 + c1, c1)
        self.head = nn.Conv2d(c1, 1, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Logits (N, 1, H, W) for crops (N, 3, H, W) in 0..1."""
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        d2 = self.dec2(torch.cat([self.up(e3), e2], 1))
        d1 = self.dec1(torch.cat([self.up(d2), e1], 1))
        out: Tensor = self.head(d1)
        return out


class Exported(nn.Module):
    """What the ONNX file holds: the chance per pixel (sigmoid of the logits)."""

    def __init__(self, net: SilhouetteNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: Tensor) -> Tensor:
        return torch.sigmoid(self.net(x))
