"""A manifest per ONNX model: what it is, what it expects, and the checksum of the exact file.

Checked on load against the file and against the session's real input/output shapes; a missing file, a
checksum mismatch or an unexpected shape is a ``ModelError`` that names the check.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import Field, field_validator, model_validator

from edge.detect.errors import ModelError
from sharpeyes.config.camera import ConfigModel
from sharpeyes.config.loading import load_model
from sharpeyes.errors import ConfigError


class Layout(StrEnum):
    YOLOV8 = "yolov8"  # output [1, 4 + nc, N]: cx, cy, w, h, class scores (YOLOv8, YOLO11)
    YOLOV5 = "yolov5"  # output [1, N, 5 + nc]: cx, cy, w, h, objectness, class scores


class Thresholds(ConfigModel):
    confidence: float = Field(default=0.35, ge=0.0, le=1.0, description="default per-class threshold")
    per_class: dict[str, float] = Field(default_factory=dict, description="class name -> threshold")
    nms_iou: float = Field(default=0.5, gt=0.0, le=1.0)
    max_detections: int = Field(default=100, ge=1, le=10_000)


class ModelCard(ConfigModel):
    """What a model is, what it was trained on and how it measured: for people; the runtime never reads it."""

    summary: str = Field(min_length=1)
    architecture: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, description="training data: generator, seeds, counts")
    training: dict[str, Any] = Field(default_factory=dict, description="command, seed, steps, time")
    evaluation: dict[str, Any] = Field(default_factory=dict, description="measured accuracy and how")


class CheckedManifest(ConfigModel):
    """What every model's manifest has: its name and version, its file and that file's checksum, a card."""

    name: str = Field(min_length=1, max_length=64)
    version: str = Field(min_length=1, max_length=32)
    file: str = Field(min_length=1, description="the .onnx file, relative to the manifest")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    card: ModelCard | None = None


class ModelManifest(CheckedManifest):
    """A detector's manifest."""

    layout: Layout
    input_size: tuple[int, int] = Field(description="[width, height] the model was exported for")
    classes: list[str] = Field(min_length=1)
    thresholds: Thresholds = Field(default_factory=Thresholds)

    @field_validator("input_size")
    @classmethod
    def _size(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not all(32 <= v <= 4096 and v % 32 == 0 for v in value):
            raise ValueError("input_size must be two multiples of 32 between 32 and 4096")
        return value

    @model_validator(mode="after")
    def _known_classes(self) -> ModelManifest:
        unknown = sorted(set(self.thresholds.per_class) - set(self.classes))
        if unknown:
            raise ValueError(f"thresholds.per_class names unknown classes {unknown}")
        if len(set(self.classes)) != len(self.classes):
            raise ValueError("class names must be unique")
        return self

    def threshold_of(self, class_id: int) -> float:
        return self.thresholds.per_class.get(self.classes[class_id], self.thresholds.confidence)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(path: Path) -> tuple[ModelManifest, Path]:
    """Read and check a manifest: the model file exists and its sha256 matches. Returns (manifest, file)."""
    return load_checked(ModelManifest, path)


M = TypeVar("M", bound=CheckedManifest)


def load_checked(kind: type[M], path: Path) -> tuple[M, Path]:
    """Read a manifest of any kind of model and check its file exists and matches the checksum. Returns
    (manifest, file)."""
    try:
        manifest = load_model(kind, path)
    except ConfigError as exc:
        raise ModelError(path.stem, "manifest", str(exc)) from None
    model_path = (path.parent / manifest.file).resolve()
    if not model_path.is_file():
        raise ModelError(manifest.name, "missing_file", f"{model_path} does not exist (manifest {path})")
    actual = sha256_of(model_path)
    if actual != manifest.sha256:
        raise ModelError(
            manifest.name,
            "checksum",
            f"{model_path} has sha256 {actual}, manifest {path} says {manifest.sha256}",
        )
    return manifest, model_path
