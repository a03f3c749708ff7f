"""Shared pieces of every wire message: strict models, UTC timestamps, schema versions, decoding."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)

from sharpeyes.errors import ContractError, SharpEyesError, UnsupportedSchemaError
from sharpeyes.timefmt import format_rfc3339, parse_rfc3339, to_utc_ms


def _coerce_utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return to_utc_ms(value)
    if isinstance(value, str):
        return to_utc_ms(parse_rfc3339(value))
    raise ValueError("expected an RFC 3339 timestamp string")


UtcTime = Annotated[
    datetime,
    BeforeValidator(_coerce_utc),
    PlainSerializer(format_rfc3339, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time", "description": "RFC 3339, UTC, milliseconds"}),
]
"""A timezone-aware datetime that is written as RFC 3339 UTC with milliseconds."""


class WireModel(BaseModel):
    """Base of wire messages: frozen, validated on construction, unknown fields tolerated.

    Unknown fields are ignored (not kept) so a newer edge agent can add an optional field
    without breaking an older pipeline; a new *major* schema version is refused instead.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=False)


class StrictPart(BaseModel):
    """Nested parts we own completely."""

    model_config = ConfigDict(frozen=True, extra="ignore")


_SCHEMA_RE = re.compile(r"^(?P<name>[a-z_.]+)/(?P<major>\d+)(?:\.(?P<minor>\d+))?$")


_ACCEPTED_SCHEMAS: set[tuple[str, str, int]] = set()  # (value, name, major) already accepted: a few


def check_schema(value: Any, name: str, major: int) -> str:
    """Accept ``name/major`` and ``name/major.minor``; anything else is a clear rejection."""
    if isinstance(value, str) and (value, name, major) in _ACCEPTED_SCHEMAS:
        return value  # every message of a stream names the same schema: match the pattern once
    if not isinstance(value, str):
        raise ContractError("schema", f"expected a string like '{name}/{major}'")
    match = _SCHEMA_RE.match(value)
    if match is None or match["name"] != name:
        raise ContractError("schema", f"expected '{name}/{major}', got {value!r}")
    if int(match["major"]) != major:
        raise UnsupportedSchemaError(
            "schema", f"unsupported major version {match['major']} of {name} (this build reads {major})"
        )
    if len(_ACCEPTED_SCHEMAS) < 64:  # bounded: a producer inventing minor versions cannot grow it
        _ACCEPTED_SCHEMAS.add((value, name, major))
    return value


def format_location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def contract_error_from(exc: ValidationError) -> ContractError:
    """The first problem of a pydantic error, with the field path spelled the way the docs spell it."""
    first = exc.errors()[0]
    # pydantic puts the name of a tagged union branch or a function validator into loc; drop them
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if first["type"] == "missing":
        message = "required field is missing"
    return ContractError(format_location(loc), message)


M = TypeVar("M", bound=BaseModel)


def parse_json_object(raw: bytes | str) -> dict[str, Any]:
    """Bytes from Kafka → a JSON object, or a ContractError saying why not."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ContractError("", f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ContractError("", f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise ContractError("", f"expected a JSON object, got {type(data).__name__}")
    return data


def validate_json_fast(model: type[M], raw: bytes | str) -> M | None:
    """The valid message straight from pydantic-core's JSON parser, or ``None`` to take the slow path.

    Most messages are valid, and parsing them in Rust saves ``json.loads`` plus a dict walk. Anything
    this path refuses (or cannot judge: a message without ``schema``, which the model would default; a
    ``schema_`` key is not read as ``schema`` here, as ``check_schema`` would not read it either) is
    decoded again by ``parse_json_object`` + ``check_schema`` + ``validate_model``, so what is rejected
    and the error naming the field are exactly as before: this path only ever accepts messages that the
    slow path accepts too (its JSON parser is the stricter of the two).
    """
    try:
        message = model.model_validate_json(raw, by_alias=True, by_name=False)
    except (ValidationError, SharpEyesError):
        return None
    return message if "schema_" in message.model_fields_set else None


def construct_trusted(model: type[M], values: dict[str, Any]) -> M:
    """``model_construct`` for a caller that passes every field, already valid, in ``values``.

    pydantic's ``model_construct`` walks all fields in Python and looks up aliases and defaults per call,
    which costs more than the decision that builds a case event; this sets the same attributes directly.
    """
    message = model.__new__(model)
    object.__setattr__(message, "__dict__", values)
    object.__setattr__(message, "__pydantic_fields_set__", set(values))
    object.__setattr__(message, "__pydantic_extra__", None)
    object.__setattr__(message, "__pydantic_private__", None)
    return message


def validate_model(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise contract_error_from(exc) from None


def encode(message: BaseModel) -> bytes:
    """The one encoding of every wire message: compact UTF-8 JSON, optional fields left out."""
    return message.model_dump_json(exclude_none=True, by_alias=True).encode("utf-8")
