"""The documented case JSON a case system receives (docs/webhooks.md), built from a ``CaseEvent``.

The body is built once per event and endpoint and re-sent unchanged on every retry; only the
``webhook-timestamp`` and signature change between attempts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline.webhooks.categories import category_of
from pipeline.webhooks.evidence_links import EvidenceLinkSigner
from sharpeyes.contract import CaseEvent, CaseEventType, CaseStatus, EscalationLevel, GridPath, Severity
from sharpeyes.contract.base import UtcTime
from sharpeyes.registry import Building

PAYLOAD_SCHEMA = "sharpeyes.case_webhook/1"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Part):
    zh: str
    en: str


class CategoryOut(_Part):
    code: str = Field(description="SE-xxxx, see pipeline/webhooks/categories.py")
    kind: str
    name: Text


class LocationOut(_Part):
    address: str | None = None
    building: str | None = None
    building_name: str | None = None
    floor: int | None = Field(default=None, description="1 = ground floor")
    zone: str | None = None
    grid_path: GridPath
    lat: float | None = None
    lon: float | None = None


class SlaOut(_Part):
    respond_by: UtcTime | None = None
    resolve_by: UtcTime | None = None
    escalation_level: EscalationLevel | None = None


class EvidenceOut(_Part):
    alert_id: str
    url: str | None = Field(default=None, description="signed, expiring link to the snapshot")
    sha256: str | None = None


class StatusOut(_Part):
    status: CaseStatus
    at: UtcTime
    by: str
    note: str | None = None


class CaseOut(_Part):
    id: str
    category: CategoryOut
    title: Text
    severity: Severity
    status: CaseStatus
    location: LocationOut
    opened_at: UtcTime
    first_seen: UtcTime
    last_seen: UtcTime
    alert_count: int
    sla: SlaOut
    evidence: list[EvidenceOut]
    status_history: list[StatusOut]
    sources: list[str]
    recurrence_of: str | None = None
    correlated: list[str] = Field(default_factory=list)


class EventOut(_Part):
    id: str = Field(description="the webhook-id: stable per case event")
    type: CaseEventType
    ts: UtcTime
    alert_id: str | None = None


class CasePayload(_Part):
    schema_: str = Field(default=PAYLOAD_SCHEMA, alias="schema")
    event: EventOut
    case: CaseOut

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def to_bytes(self) -> bytes:
        return dump(self.model_dump(mode="json", by_alias=True))


def dump(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _titles(kind_zh: str, kind_en: str, where_zh: str, where_en: str, floor: int | None) -> Text:
    if floor is not None:
        return Text(zh=f"{kind_zh}：{where_zh} {floor}层", en=f"{kind_en} at {where_en}, floor {floor}")
    return Text(zh=f"{kind_zh}：{where_zh}", en=f"{kind_en} at {where_en}")


class PayloadBuilder:
    """``CaseEvent`` → ``CasePayload``; addresses come from the registry's buildings when given."""

    def __init__(
        self, buildings: Mapping[str, Building] | None = None, links: EvidenceLinkSigner | None = None
    ) -> None:
        self._buildings = buildings or {}
        self._links = links

    def build(self, event: CaseEvent, now: datetime | None = None) -> CasePayload:
        case = event.case
        category = category_of(case.kind)
        building_id = case.location.building
        building = self._buildings.get(building_id) if building_id else None
        where_zh = (building.address or building.name) if building else (building_id or case.location.grid)
        where_en = building_id or case.location.grid
        evidence = [
            EvidenceOut(
                alert_id=ref.alert_id,
                url=self._links.url_for(ref.alert_id, now) if self._links else ref.uri,
                sha256=ref.sha256,
            )
            for ref in case.evidence
        ]
        return CasePayload(
            event=EventOut(id=event.event_id, type=event.type, ts=event.ts, alert_id=event.alert_id),
            case=CaseOut(
                id=case.case_id,
                category=CategoryOut(
                    code=category.code, kind=case.kind.value, name=Text(zh=category.zh, en=category.en)
                ),
                title=_titles(category.zh, category.en, where_zh, where_en, case.floor),
                severity=case.severity,
                status=case.status,
                location=LocationOut(
                    address=building.address or None if building else None,
                    building=building_id,
                    building_name=building.name if building else None,
                    floor=case.floor,
                    zone=case.zone,
                    grid_path=case.location,
                    lat=building.lat if building else None,
                    lon=building.lon if building else None,
                ),
                opened_at=case.opened_at,
                first_seen=case.first_seen,
                last_seen=case.last_seen,
                alert_count=case.alert_count,
                sla=SlaOut(
                    respond_by=case.respond_by,
                    resolve_by=case.resolve_by,
                    escalation_level=case.escalation_level,
                ),
                evidence=evidence,
                status_history=[
                    StatusOut(status=h.status, at=h.at, by=h.by, note=h.note) for h in case.history
                ],
                sources=list(case.source_ids),
                recurrence_of=case.recurrence_of,
                correlated=list(case.correlated),
            ),
        )
