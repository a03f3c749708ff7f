"""The manifest (``edge.detect.manifest.ModelManifest``) written beside each exported model, with its card:
what it was trained on, the command, and measured accuracy (filled in by ``benchmarks/detector_eval.py``)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from models.train import CLASSES

# Per-class thresholds: ebike is what a rule acts on, so it is the one tuned (see docs/models.md).
PER_CLASS = {"ebike": 0.4}


def write_manifest(model_path: Path, size: int, card: dict[str, Any], version: str) -> Path:
    manifest = {
        "name": f"indoor-det-{size}",
        "version": version,
        "file": model_path.name,
        "sha256": hashlib.sha256(model_path.read_bytes()).hexdigest(),
        "layout": "yolov8",
        "input_size": [size, size],
        "classes": list(CLASSES),
        "thresholds": {
            "confidence": 0.35,
            "per_class": dict(PER_CLASS),
            "nms_iou": 0.5,
            "max_detections": 100,
        },
        "card": card,
    }
    path = model_path.with_suffix(".yaml")
    path.write_text(yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
