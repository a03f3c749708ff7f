"""The internal command envelope on ``<prefix>.cases.commands`` (keyed by routing key grid|building).

Everything that changes a case travels here, so one partition, one agent and one table decide a
building's cases in order: enriched alerts, case-system updates, and SLA clock ticks.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from pipeline.core.enrich import EnrichedAlert
from sharpeyes.contract import Alert, CaseUpdate
from sharpeyes.contract.base import UtcTime, WireModel
from sharpeyes.contract.case import GridPath


class CommandType(StrEnum):
    ALERT = "alert"
    UPDATE = "update"
    TICK = "tick"


class Origin(WireModel):
    """Where the message that caused the command came from, for dead letters."""

    topic: str
    partition: int | None = None
    offset: int | None = None
    original_b64: str | None = None


class Command(WireModel):
    type: CommandType
    routing_key: str
    alert: Alert | None = None
    path: GridPath | None = None
    floor: int | None = None
    case_key: str | None = None
    update: CaseUpdate | None = None
    tick_at: UtcTime | None = None
    tick_keys: list[str] = Field(default_factory=list)
    origin: Origin | None = None

    def enriched(self) -> EnrichedAlert:
        assert self.alert is not None and self.path is not None and self.case_key is not None  # noqa: S101
        return EnrichedAlert(self.alert, self.path, self.floor, self.case_key, self.routing_key)

    @classmethod
    def for_alert(cls, ea: EnrichedAlert) -> Command:
        return cls(
            type=CommandType.ALERT,
            routing_key=ea.routing_key,
            alert=ea.alert,
            path=ea.path,
            floor=ea.floor,
            case_key=ea.case_key,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True, by_alias=True).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Command:
        return cls.model_validate_json(raw)
