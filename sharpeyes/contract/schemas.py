"""JSON Schema files generated from the contract models; checked in under ``sharpeyes/schemas/``.

``python -m sharpeyes.contract.schemas`` rewrites them; a test fails when they drift from the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from sharpeyes.contract.alert import Alert
from sharpeyes.contract.case import CaseEvent, CaseUpdate
from sharpeyes.contract.deadletter import DeadLetter
from sharpeyes.contract.iot import IotEvent

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

MODELS: dict[str, type[BaseModel]] = {
    "alert.schema.json": Alert,
    "iot_event.schema.json": IotEvent,
    "case_event.schema.json": CaseEvent,
    "case_update.schema.json": CaseUpdate,
    "deadletter.schema.json": DeadLetter,
}


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = directory / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        sys.stdout.write(f"wrote {p}\n")
