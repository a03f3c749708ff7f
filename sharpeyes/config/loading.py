"""Load YAML into frozen pydantic models, with errors that name the file and the field.

Config objects do no I/O; this module is the only place that reads config files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from sharpeyes.contract.base import format_location
from sharpeyes.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc.strerror}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(str(path), where, f"invalid YAML: {problem}") from None


def model_from_data(model: type[M], data: Any, source: str, prefix: str = "") -> M:
    """Validate ``data`` as ``model``; the first error names ``source`` and the dotted field path."""
    if not isinstance(data, dict):
        raise ConfigError(source, prefix, f"expected a mapping, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = format_location(tuple(first["loc"]))
        if prefix:
            where = f"{prefix}.{where}" if where and not where.startswith("[") else f"{prefix}{where}"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown field (typo?)"
        elif first["type"] == "missing":
            message = "required field is missing"
        raise ConfigError(source, where, message) from None


def load_model(model: type[M], path: Path) -> M:
    return model_from_data(model, read_yaml(path), str(path))
