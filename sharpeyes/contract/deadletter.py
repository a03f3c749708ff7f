"""The dead-letter record on ``sharpeyes.deadletter``: the original bytes, where they came from, and why."""

from __future__ import annotations

import base64
from typing import Any

from pydantic import Field, field_validator

from sharpeyes.contract.base import (
    UtcTime,
    WireModel,
    check_schema,
    encode,
    parse_json_object,
    validate_model,
)

DEADLETTER_SCHEMA = "sharpeyes.deadletter/1"


class DeadLetter(WireModel):
    schema_: str = Field(default=DEADLETTER_SCHEMA, alias="schema")
    reason: str = Field(
        min_length=1, description="short machine-readable reason, e.g. 'invalid', 'unknown source'"
    )
    detail: str = Field(default="", description="the human-readable problem, naming the field")
    topic: str
    partition: int | None = None
    offset: int | None = None
    key_b64: str | None = None
    original_b64: str
    ts: UtcTime

    model_config = WireModel.model_config | {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> str:
        return check_schema(value, "sharpeyes.deadletter", 1)

    @property
    def original(self) -> bytes:
        return base64.b64decode(self.original_b64)

    def to_bytes(self) -> bytes:
        return encode(self)


def b64(raw: bytes | None) -> str | None:
    return None if raw is None else base64.b64encode(raw).decode("ascii")


def decode_dead_letter(raw: bytes | str) -> DeadLetter:
    data = parse_json_object(raw)
    return validate_model(DeadLetter, data)
