"""Case events on ``sharpeyes.cases`` (keyed by case id) and case updates on ``sharpeyes.cases.updates``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from sharpeyes.contract.alert import AlertKind, Identifier, Severity
from sharpeyes.contract.base import (
    StrictPart,
    UtcTime,
    WireModel,
    check_schema,
    encode,
    parse_json_object,
    validate_model,
)

CASE_EVENT_SCHEMA = "sharpeyes.case_event/1"
CASE_UPDATE_SCHEMA = "sharpeyes.case_update/1"


class CaseStatus(StrEnum):
    OPEN = "open"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    REJECTED_FALSE_POSITIVE = "rejected_false_positive"

    @property
    def is_terminal(self) -> bool:
        return self in (CaseStatus.CLOSED, CaseStatus.REJECTED_FALSE_POSITIVE)


class CaseEventType(StrEnum):
    OPENED = "opened"
    ALERT_ATTACHED = "alert_attached"
    SEVERITY_CHANGED = "severity_changed"
    STATUS_CHANGED = "status_changed"
    ESCALATED = "escalated"
    CLOSED = "closed"


class EscalationLevel(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"


class GridPath(StrictPart):
    """Where a case is, from the street office down to the building (街道 → 社区 → 网格 → 楼栋)."""

    street: str
    community: str
    grid: str
    building: str | None = None


class EvidenceRef(StrictPart):
    alert_id: str
    sha256: str | None = None
    uri: str | None = None


class StatusChange(StrictPart):
    status: CaseStatus
    at: UtcTime
    by: str
    note: str | None = None


class CaseSnapshot(StrictPart):
    """The case as it stands after the event: what the case system and the console need."""

    case_id: str
    case_key: str
    kind: AlertKind
    severity: Severity
    status: CaseStatus
    location: GridPath
    floor: int | None = None
    zone: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    opened_at: UtcTime
    first_seen: UtcTime
    last_seen: UtcTime
    alert_count: int = Field(ge=1)
    alert_ids: list[str] = Field(default_factory=list, description="bounded: the first and latest alerts")
    evidence: list[EvidenceRef] = Field(default_factory=list)
    escalation_level: EscalationLevel | None = None
    respond_by: UtcTime | None = None
    resolve_by: UtcTime | None = None
    recurrence_of: str | None = Field(default=None, description="case id closed shortly before on this key")
    correlated: list[str] = Field(default_factory=list, description="reasons severity was raised")
    history: list[StatusChange] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(
        default_factory=dict, description="kind-specific, from the opening alert"
    )


class CaseEvent(WireModel):
    schema_: str = Field(default=CASE_EVENT_SCHEMA, alias="schema")
    event_id: str = Field(min_length=1, description="stable per case event: the webhook-id")
    case_id: str = Field(min_length=1)
    type: CaseEventType
    ts: UtcTime
    alert_id: str | None = None
    case: CaseSnapshot

    model_config = WireModel.model_config | {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> str:
        return check_schema(value, "sharpeyes.case_event", 1)

    def to_bytes(self) -> bytes:
        return encode(self)


class CaseUpdate(WireModel):
    """A status change asked for by the case system or an operator."""

    schema_: str = Field(default=CASE_UPDATE_SCHEMA, alias="schema")
    update_id: Identifier
    case_id: str = Field(min_length=1)
    status: CaseStatus
    ts: UtcTime
    actor: str = Field(min_length=1, max_length=128)
    note: str | None = Field(default=None, max_length=2000)

    model_config = WireModel.model_config | {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> str:
        return check_schema(value, "sharpeyes.case_update", 1)

    def to_bytes(self) -> bytes:
        return encode(self)


def decode_case_event(raw: bytes | str) -> CaseEvent:
    data = parse_json_object(raw)
    check_schema(data.get("schema"), "sharpeyes.case_event", 1)
    return validate_model(CaseEvent, data)


def decode_case_update(raw: bytes | str) -> CaseUpdate:
    data = parse_json_object(raw)
    check_schema(data.get("schema"), "sharpeyes.case_update", 1)
    return validate_model(CaseUpdate, data)
