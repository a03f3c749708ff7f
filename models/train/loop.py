"""The training loop: AdamW, warm-up + cosine learning rate over steps or a time budget, an EMA of the
weights (the EMA is what gets exported), a progress line every ``log_every`` steps, checkpoints, a loss
curve PNG."""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from models.train import CLASSES
from models.train.dataset import Augment, Sample, collate, load_split, read_names
from models.train.loss import detection_loss, lr_factor
from models.train.net import IndoorDet, count_params


@dataclass(frozen=True)
class TrainConfig:
    data: Path
    work: Path
    seed: int = 0
    epochs: int = 30
    minutes: float | None = None
    batch: int = 16
    size: int = 320
    lr: float = 2e-3
    weight_decay: float = 5e-4
    width: tuple[int, ...] = (24, 32, 48, 80, 128)
    threads: int = 2
    log_every: int = 20
    init: Path | None = None  # start from these weights (a checkpoint of an earlier run)
    limit: int | None = None  # at most this many training images (quick runs)
    grow: bool = False  # rescan the data each epoch (training while the generator is still writing)


@dataclass
class History:
    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    box: list[float] = field(default_factory=list)
    cls: list[float] = field(default_factory=list)


class ModelEMA:
    """Exponential moving average of the weights, ramped in so early steps are not frozen in."""

    def __init__(self, model: nn.Module, decay: float = 0.999, tau: float = 300.0) -> None:
        self.ema = copy.deepcopy(model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.decay, self.tau, self.updates = decay, tau, 0

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / self.tau))
        current = model.state_dict()
        for name, value in self.ema.state_dict().items():
            if value.dtype.is_floating_point:
                value.mul_(d).add_(current[name].detach(), alpha=1 - d)


def _param_groups(model: nn.Module, weight_decay: float) -> list[dict[str, object]]:
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 or name.endswith(".bias") else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def plot_history(history: History, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    k = max(1, len(history.loss) // 60)
    smooth = np.convolve(history.loss, np.ones(k) / k, mode="valid") if history.loss else np.zeros(0)
    ax.plot(history.step, history.loss, alpha=0.3, label="loss (per step)")
    ax.plot(history.step[k - 1 :], smooth, label=f"loss (mean of {k})")
    ax.plot(history.step, np.array(history.box) * 7.5 * 16, alpha=0.6, label="box part")
    ax.plot(history.step, np.array(history.cls) * 0.5 * 16, alpha=0.6, label="class part")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    ax.legend()
    ax.set_title("indoor-det training loss")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def build_model(width: tuple[int, ...]) -> IndoorDet:
    return IndoorDet(len(CLASSES), width)


def train(cfg: TrainConfig) -> tuple[nn.Module, dict[str, object]]:
    """Train; returns the EMA model and a summary (images, steps, seconds, final losses)."""
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    rng = np.random.default_rng(cfg.seed)
    names = read_names(cfg.data)
    if names != list(CLASSES):
        raise SystemExit(f"{cfg.data}/data.yaml names {names} are not {list(CLASSES)}")
    t_load = time.perf_counter()
    samples: list[Sample] = load_split(cfg.data, "train", cache_side=round(cfg.size * 1.1), limit=cfg.limit)
    print(f"loaded {len(samples)} training images in {time.perf_counter() - t_load:.0f}s", flush=True)
    model = build_model(cfg.width)
    if cfg.init is not None:
        model.load_state_dict(torch.load(cfg.init, map_location="cpu")["model"])
        print(f"initialised from {cfg.init}", flush=True)
    print(f"model: {count_params(model):,} parameters", flush=True)
    ema = ModelEMA(model)
    opt = torch.optim.AdamW(_param_groups(model, cfg.weight_decay), lr=cfg.lr, betas=(0.9, 0.999))
    steps_per_epoch = max(1, len(samples) // cfg.batch)
    total_steps = cfg.epochs * steps_per_epoch
    budget = cfg.minutes * 60 if cfg.minutes else None
    cfg.work.mkdir(parents=True, exist_ok=True)
    history = History()
    aug = Augment()
    start = time.perf_counter()
    last_ckpt = start
    step, epoch, progress = 0, 0, 0.0
    model.train()
    while progress < 1.0:
        if cfg.grow and epoch > 0:
            new = load_split(cfg.data, "train", round(cfg.size * 1.1), skip={s.name for s in samples})
            samples += new
            steps_per_epoch = max(1, len(samples) // cfg.batch)
            print(f"epoch {epoch}: {len(new)} new images, {len(samples)} in all", flush=True)
        order = rng.permutation(len(samples))
        for b in range(steps_per_epoch):
            elapsed = time.perf_counter() - start
            progress = max(step / total_steps, elapsed / budget if budget else 0.0)
            if progress >= 1.0:
                break
            for group in opt.param_groups:
                group["lr"] = cfg.lr * lr_factor(progress)
            batch = [samples[i] for i in order[b * cfg.batch : (b + 1) * cfg.batch]]
            images, boxes, classes = collate(batch, cfg.size, aug, rng)
            parts = detection_loss(
                model(torch.from_numpy(images)), torch.from_numpy(boxes), torch.from_numpy(classes)
            )
            opt.zero_grad(set_to_none=True)
            parts.total.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
            ema.update(model)
            step += 1
            history.step.append(step)
            history.loss.append(float(parts.total.detach()))
            history.box.append(parts.box)
            history.cls.append(parts.cls)
            if step % cfg.log_every == 0 or step == 1:
                recent = np.mean(history.loss[-cfg.log_every :])
                rate = step * cfg.batch / max(elapsed, 1e-6)
                print(
                    f"epoch {epoch} step {step}/{total_steps} loss {recent:.3f} (box {parts.box:.3f} "
                    f"cls {parts.cls:.3f} pos {parts.positives}) lr {opt.param_groups[0]['lr']:.2e} "
                    f"{rate:.1f} img/s elapsed {elapsed / 60:.1f} min progress {progress:.0%}",
                    flush=True,
                )
            if time.perf_counter() - last_ckpt > 300:
                save_checkpoint(cfg, ema.ema, cfg.work / "last.pt", step)
                plot_history(history, cfg.work / "loss.png")
                last_ckpt = time.perf_counter()
        epoch += 1
    seconds = time.perf_counter() - start
    save_checkpoint(cfg, ema.ema, cfg.work / "last.pt", step)
    plot_history(history, cfg.work / "loss.png")
    (cfg.work / "history.json").write_text(json.dumps(asdict(history)), encoding="utf-8")
    summary: dict[str, object] = {
        "train_images": len(samples),
        "steps": step,
        "epochs": round(step / steps_per_epoch, 2),
        "seconds": round(seconds),
        "final_loss": round(float(np.mean(history.loss[-50:])), 4) if history.loss else None,
        "parameters": count_params(model),
    }
    print(f"done: {summary}", flush=True)
    return ema.ema, summary


def save_checkpoint(cfg: TrainConfig, model: nn.Module, path: Path, step: int) -> None:
    meta = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cfg).items()}
    torch.save({"model": model.state_dict(), "width": list(cfg.width), "step": step, "config": meta}, path)
