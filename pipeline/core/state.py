"""Per-case-key state: the open case (if any) and the memory of the last closed one.

Stored as JSON in a Faust table (changelog-backed) or SQLite; ``to_bytes``/``from_bytes`` are the codec.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from sharpeyes.contract import (
    AlertKind,
    CaseSnapshot,
    CaseStatus,
    EscalationLevel,
    EvidenceRef,
    GridPath,
    Severity,
    StatusChange,
)
from sharpeyes.contract.base import UtcTime, construct_trusted


class OpenCase(BaseModel):
    """Mutable while the decision function holds it; persisted after each command."""

    model_config = ConfigDict(extra="ignore")

    case_id: str
    case_key: str
    kind: AlertKind
    severity: Severity
    base_severity: Severity
    status: CaseStatus = CaseStatus.OPEN
    location: GridPath
    floor: int | None = None
    zone: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    opened_at: UtcTime
    first_seen: UtcTime
    last_seen: UtcTime
    alert_count: int = 1
    incidents: int = 1
    first_alert_ids: list[str] = Field(default_factory=list)
    recent_alert_ids: list[str] = Field(default_factory=list)
    evidence: list[EvidenceRef] = Field(default_factory=list)
    escalation_level: EscalationLevel | None = None
    overdue_since: UtcTime | None = None
    respond_by: UtcTime | None = None
    resolve_by: UtcTime | None = None
    recurrence_of: str | None = None
    correlated: list[str] = Field(default_factory=list)
    history: list[StatusChange] = Field(default_factory=list)
    attributes: dict[str, object] = Field(default_factory=dict)
    seq: int = 0

    def snapshot(self) -> CaseSnapshot:
        """The case as an event carries it: copies of the lists, so later changes do not leak into it."""
        ids = list(dict.fromkeys(self.first_alert_ids + self.recent_alert_ids))
        return construct_trusted(
            CaseSnapshot,
            {
                "case_id": self.case_id,
                "case_key": self.case_key,
                "kind": self.kind,
                "severity": self.severity,
                "status": self.status,
                "location": self.location,
                "floor": self.floor,
                "zone": self.zone,
                "source_ids": list(self.source_ids),
                "opened_at": self.opened_at,
                "first_seen": self.first_seen,
                "last_seen": self.last_seen,
                "alert_count": self.alert_count,
                "alert_ids": ids,
                "evidence": list(self.evidence),
                "escalation_level": self.escalation_level,
                "respond_by": self.respond_by,
                "resolve_by": self.resolve_by,
                "recurrence_of": self.recurrence_of,
                "correlated": list(self.correlated),
                "history": list(self.history),
                "attributes": dict(self.attributes),
            },
        )


class KeyState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    open: OpenCase | None = None
    last_closed_case_id: str | None = None
    last_closed_at: UtcTime | None = None

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> KeyState:
        return cls.model_validate_json(raw)


class CaseStore(Protocol):
    """Where key states live: a Faust table, a dict, SQLite. Only keys of one routing key are touched
    per command, so a partitioned store sees only its own partition's keys."""

    def get(self, key: str) -> KeyState | None: ...

    def put(self, key: str, state: KeyState) -> None: ...

    def delete(self, key: str) -> None: ...


class DictCaseStore:
    def __init__(self) -> None:
        self.data: dict[str, KeyState] = {}

    def get(self, key: str) -> KeyState | None:
        return self.data.get(key)

    def put(self, key: str, state: KeyState) -> None:
        self.data[key] = state

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def latest(a: datetime, b: datetime) -> datetime:
    return a if a >= b else b
