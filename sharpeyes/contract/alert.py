"""The alert message on ``sharpeyes.alerts.raw`` (DESIGN.md, contract — alert message)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator, model_validator

from sharpeyes.contract.base import (
    StrictPart,
    UtcTime,
    WireModel,
    check_schema,
    contract_error_from,
    encode,
    parse_json_object,
    validate_json_fast,
    validate_model,
)
from sharpeyes.errors import ContractError

ALERT_SCHEMA = "sharpeyes.alert/1"


class AlertKind(StrEnum):
    CORRIDOR_CLUTTER = "corridor_clutter"
    EBIKE_INDOOR = "ebike_indoor"
    HIGH_ALTITUDE_THROW = "high_altitude_throw"
    SMOKE = "smoke"
    EBIKE_CHARGING = "ebike_charging"
    FIRE_DOOR_OPEN = "fire_door_open"
    WATER_LEVEL = "water_level"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def highest(cls, *values: Severity) -> Severity:
        return max(values, key=lambda s: s.rank)


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}

Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-/]*$")]


class ModelInfo(StrictPart):
    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class AgentInfo(StrictPart):
    id: Identifier
    version: str = Field(min_length=1)
    model: ModelInfo | None = None


class Evidence(StrictPart):
    snapshot_jpeg: str | None = Field(default=None, description="base64 JPEG", max_length=2_000_000)
    uri: str | None = Field(default=None, max_length=2048)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _something(self) -> Evidence:
        if self.snapshot_jpeg is None and self.uri is None:
            raise ValueError("evidence needs snapshot_jpeg or uri")
        return self


class ThrowAttributes(StrictPart):
    """``high_altitude_throw``: where the fall began, and its track."""

    origin_floor: int = Field(ge=1, le=200, description="1 = ground floor")
    trajectory: list[Annotated[list[float], Field(min_length=3, max_length=3)]] = Field(
        min_length=2, max_length=2000, description="[[t_s, x, y], ...] pixels and seconds"
    )


class ClutterAttributes(StrictPart):
    """``corridor_clutter``: ``ts`` is when the dwell threshold was reached."""

    since: UtcTime
    dwell_s: float = Field(ge=0)


class GenericAttributes(StrictPart):
    """Kinds with no required attributes keep whatever the producer sent (for the case record)."""

    model_config = StrictPart.model_config | {"extra": "allow"}


Attributes = ThrowAttributes | ClutterAttributes | GenericAttributes

_ATTRIBUTES_BY_KIND: dict[AlertKind, type[StrictPart]] = {
    AlertKind.HIGH_ALTITUDE_THROW: ThrowAttributes,
    AlertKind.CORRIDOR_CLUTTER: ClutterAttributes,
}


class Alert(WireModel):
    schema_: str = Field(default=ALERT_SCHEMA, alias="schema")
    alert_id: Identifier
    source_id: Identifier
    kind: AlertKind
    ts: UtcTime
    confidence: float = Field(ge=0.0, le=1.0)
    severity: Severity
    zone: str | None = Field(default=None, max_length=128)
    bbox: list[float] | None = Field(default=None, min_length=4, max_length=4)
    evidence: Evidence | None = None
    attributes: Attributes = Field(default_factory=GenericAttributes)
    agent: AgentInfo

    model_config = WireModel.model_config | {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> str:
        return check_schema(value, "sharpeyes.alert", 1)

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: list[float] | None) -> list[float] | None:
        if value is not None and (value[2] < value[0] or value[3] < value[1]):
            raise ValueError("bbox must be [x1, y1, x2, y2] with x2 >= x1 and y2 >= y1")
        return value

    @model_validator(mode="before")
    @classmethod
    def _typed_attributes(cls, data: Any) -> Any:
        """Pick the attributes model from ``kind`` so a throw without ``origin_floor`` is refused."""
        if isinstance(data, dict) and "attributes" in data and not isinstance(data["attributes"], StrictPart):
            attrs = data["attributes"]
            if not isinstance(attrs, dict):
                raise ContractError("attributes", "must be a JSON object")
            try:
                kind = AlertKind(str(data.get("kind")))
            except ValueError:
                return data  # the kind field reports its own error
            model = _ATTRIBUTES_BY_KIND.get(kind, GenericAttributes)
            data = dict(data)
            data["attributes"] = validate_nested(model, attrs, "attributes")
        elif isinstance(data, dict) and "attributes" not in data:
            try:
                kind = AlertKind(str(data.get("kind")))
            except ValueError:
                return data
            if kind in _ATTRIBUTES_BY_KIND:
                raise ContractError("attributes", f"required for kind {kind.value}")
        return data

    def to_bytes(self) -> bytes:
        return encode(self)


def validate_nested(model: type[StrictPart], data: dict[str, Any], prefix: str) -> StrictPart:
    """Validate a nested part and report its errors under ``prefix`` (``attributes.since``)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = contract_error_from(exc)
        raise type(err)(f"{prefix}.{err.field}" if err.field else prefix, err.problem) from None


def decode_alert(raw: bytes | str) -> Alert:
    """Bytes from ``sharpeyes.alerts.raw`` → a validated Alert, or ContractError naming the field."""
    fast = validate_json_fast(Alert, raw)
    if fast is not None:
        return fast
    data = parse_json_object(raw)
    check_schema(data.get("schema"), "sharpeyes.alert", 1)
    return validate_model(Alert, data)
