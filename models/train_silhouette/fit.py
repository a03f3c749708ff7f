"""Fit ``SilhouetteNet`` on labelled crops for a time budget, then export ONNX and write its manifest.

Loss: binary cross-entropy on the soft labels plus a soft Dice term (thin far people are few pixels).
Augmentation: mirror (people walk both ways), brightness and contrast (the corridor's light drifts).
The threshold written to the manifest is the one that keeps 97 % of the held-out crops' person pixels
inside the mask: a person pixel left out can become a "thing" to the clutter rule, a floor pixel taken in
only hides a little floor.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from edge.detect.manifest import sha256_of
from models.train_silhouette import MARGIN
from models.train_silhouette.crops import Crops
from models.train_silhouette.net import Exported, SilhouetteNet

NAME = "person-silhouette"
KEEP_PERSON = 0.97  # share of held-out person pixels the exported threshold keeps inside the mask


@dataclass(frozen=True)
class TrainConfig:
    crops: list[Path]
    val: list[Path]
    out: Path
    work: Path
    minutes: float = 10.0
    seed: int = 0
    version: str = "0.1.0"
    batch: int = 64
    lr: float = 3e-3
    init: Path | None = None  # start from these weights (``--minutes 0``: only evaluate and export)


def _tensors(crops: list[Path]) -> tuple[Tensor, Tensor]:
    parts = [Crops.load(p) for p in crops]
    x = torch.from_numpy(np.concatenate([c.images for c in parts])).permute(0, 3, 1, 2).contiguous()
    y = torch.from_numpy(np.concatenate([c.labels for c in parts]))[:, None].contiguous()
    return x, y  # uint8: converted per batch


def _augment(x: Tensor, gen: torch.Generator) -> Tensor:
    n = x.shape[0]
    gain = torch.empty(n, 1, 1, 1).uniform_(0.7, 1.3, generator=gen)
    bias = torch.empty(n, 1, 1, 1).uniform_(-0.08, 0.08, generator=gen)
    return (x * gain + bias).clamp(0, 1)


def _loss(logits: Tensor, y: Tensor) -> Tensor:
    bce = F.binary_cross_entropy_with_logits(logits, y)
    p = torch.sigmoid(logits)
    inter = (p * y).sum((1, 2, 3))
    dice = 1 - (2 * inter + 1) / (p.sum((1, 2, 3)) + y.sum((1, 2, 3)) + 1)
    return bce + 0.5 * dice.mean()


@torch.no_grad()
def evaluate(net: SilhouetteNet, x: Tensor, y: Tensor) -> dict[str, float]:
    """Held-out: loss, IoU at 0.5, and the threshold keeping ``KEEP_PERSON`` of person pixels, with the
    share of the crops' non-person pixels it still covers (what the mask takes from the floor)."""
    net.eval()
    probs, losses = [], []
    for i in range(0, len(x), 256):
        xb = x[i : i + 256].float() / 255
        yb = y[i : i + 256].float() / 255
        logits = net(xb)
        losses.append(float(_loss(logits, yb)) * len(xb))
        probs.append(torch.sigmoid(logits))
    p = torch.cat(probs).flatten().numpy()
    person = y.flatten().numpy() >= 128
    inter = np.count_nonzero((p > 0.5) & person)
    union = np.count_nonzero((p > 0.5) | person)
    threshold = float(np.quantile(p[person], 1 - KEEP_PERSON)) if person.any() else 0.5
    threshold = min(0.5, max(0.01, threshold))
    return {
        "loss": sum(losses) / len(x),
        "iou_at_0.5": inter / max(1, union),
        "threshold": threshold,
        "person_kept": float((p[person] > threshold).mean()),
        "floor_taken": float((p[~person] > threshold).mean()),
        "box_share_masked": float((p > threshold).mean()),
        "box_share_person": float(person.mean()),
    }


def train(cfg: TrainConfig, argv: list[str]) -> dict[str, float]:
    torch.manual_seed(cfg.seed)
    gen = torch.Generator().manual_seed(cfg.seed)
    cfg.work.mkdir(parents=True, exist_ok=True)
    cfg.out.mkdir(parents=True, exist_ok=True)
    x, y = _tensors(cfg.crops)
    vx, vy = _tensors(cfg.val)
    size = (int(x.shape[3]), int(x.shape[2]))  # the crops' width, height: the model's input
    if (int(vx.shape[3]), int(vx.shape[2])) != size:
        raise ValueError(
            f"held-out crops are {vx.shape[3]}x{vx.shape[2]}, training crops {size[0]}x{size[1]}"
        )
    net = SilhouetteNet()
    if cfg.init is not None:
        net.load_state_dict(torch.load(cfg.init, map_location="cpu"))
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4)
    budget = cfg.minutes * 60
    started = time.monotonic()
    step, history = 0, []
    print(
        f"{len(x)} crops to train on, {len(vx)} held out; {params} parameters; {cfg.minutes} min", flush=True
    )
    while time.monotonic() - started < budget:
        net.train()
        order = torch.randperm(len(x), generator=gen)
        for i in range(0, len(order) - cfg.batch + 1, cfg.batch):
            elapsed = time.monotonic() - started
            if elapsed >= budget:
                break
            frac = elapsed / budget
            for g in opt.param_groups:
                g["lr"] = cfg.lr * (min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * frac)))
            idx = order[i : i + cfg.batch]
            xb = _augment(x[idx].float() / 255, gen)
            yb = y[idx].float() / 255
            flip = torch.rand(len(idx), generator=gen) < 0.5
            xb[flip] = xb[flip].flip(3)
            yb[flip] = yb[flip].flip(3)
            loss = _loss(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            history.append((step, elapsed, float(loss.detach())))
            if step % 100 == 0:
                recent = np.mean([h[2] for h in history[-100:]])
                print(f"step {step} {elapsed / 60:.1f} min loss {recent:.4f}", flush=True)
    measured = evaluate(net, vx, vy)
    print(json.dumps(measured, indent=1), flush=True)
    if history:
        torch.save(net.state_dict(), cfg.work / "last.pt")
        _plot(history, cfg.out / "loss.png")
    onnx_path = export(net, cfg.out / f"{NAME}.onnx", size)
    _manifest(cfg, onnx_path, size, measured, params, step, time.monotonic() - started, len(x), len(vx), argv)
    return measured


def export(net: SilhouetteNet, path: Path, size: tuple[int, int]) -> Path:
    """``net`` as ONNX taking crops of ``size`` (width, height), any batch."""
    net.eval()
    w, h = size
    torch.onnx.export(
        Exported(net),
        (torch.zeros(1, 3, h, w),),
        str(path),
        input_names=["crops"],
        output_names=["person"],
        dynamic_axes={"crops": {0: "n"}, "person": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )
    return path


def _plot(history: list[tuple[int, float, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = np.array([h[0] for h in history])
    loss = np.array([h[2] for h in history])
    smooth = np.convolve(loss, np.ones(50) / 50, mode="valid") if len(loss) > 50 else loss
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(steps, loss, alpha=0.3, label="batch")
    ax.plot(steps[len(steps) - len(smooth) :], smooth, label="mean of 50")
    ax.set_xlabel("step")
    ax.set_ylabel("BCE + 0.5 Dice")
    ax.set_title("person silhouette model: training loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _manifest(
    cfg: TrainConfig,
    onnx_path: Path,
    size: tuple[int, int],
    measured: dict[str, float],
    params: int,
    steps: int,
    seconds: float,
    n_train: int,
    n_val: int,
    argv: list[str],
) -> None:
    import yaml

    manifest = {
        "name": NAME,
        "version": cfg.version,
        "file": onnx_path.name,
        "sha256": sha256_of(onnx_path),
        "input_size": list(size),
        "margin": MARGIN,
        "threshold": round(float(measured["threshold"]), 4),
        "card": {
            "summary": "which pixels of a person box are the person; trained only on this project's "
            "generated corridor clips, not a real-world segmentation model",
            "architecture": f"U-Net, 2 stride-2 stages, {params} parameters, ONNX opset 17, sigmoid output",
            "data": {
                "crops": [str(p) for p in cfg.crops],
                "held_out": [str(p) for p in cfg.val],
                "note": "person boxes of the shipped indoor detector (and a jittered copy) on corridor clips "
                "rendered by `sharpeyes synth corridor`, labels from the renderer's own people pixels",
                "train_crops": n_train,
                "held_out_crops": n_val,
            },
            "training": {
                "command": "python -m models.train_silhouette " + " ".join(argv),
                "seed": cfg.seed,
                "steps": steps,
                "seconds": round(seconds),
            },
            "evaluation": {k: round(float(v), 4) for k, v in measured.items()},
        },
    }
    path = onnx_path.with_suffix(".yaml")
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"wrote {onnx_path} and {path}", flush=True)
