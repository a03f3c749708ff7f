"""``format: open311``: the case as an Open311 GeoReport v2 service request.

Open311 knows only ``open`` and ``closed``; our finer status goes into ``status_notes``. Fields
follow the GeoReport v2 service-request representation (``GET /requests/{id}.json``); the project's
category code is the ``service_code``.
"""

from __future__ import annotations

from typing import Any

from pipeline.webhooks.payload import CasePayload
from sharpeyes.timefmt import format_rfc3339


def to_open311(payload: CasePayload, jurisdiction_id: str | None = None) -> dict[str, Any]:
    case = payload.case
    terminal = case.status.is_terminal
    latest = case.status_history[-1] if case.status_history else None
    notes = case.status.value + (f": {latest.note}" if latest and latest.note else "")
    doc: dict[str, Any] = {
        "service_request_id": case.id,
        "status": "closed" if terminal else "open",
        "status_notes": notes,
        "service_name": case.category.name.en,
        "service_code": case.category.code,
        "description": f"{case.title.zh} / {case.title.en} (severity {case.severity.value}, "
        f"{case.alert_count} alerts, first seen {format_rfc3339(case.first_seen)})",
        "agency_responsible": case.location.grid_path.grid,
        "service_notice": None,
        "requested_datetime": format_rfc3339(case.opened_at),
        "updated_datetime": format_rfc3339(payload.event.ts),
        "expected_datetime": format_rfc3339(case.sla.resolve_by) if case.sla.resolve_by else None,
        "address": case.location.address,
        "address_id": case.location.building,
        "zipcode": None,
        "lat": case.location.lat,
        "long": case.location.lon,
        "media_url": next((e.url for e in case.evidence if e.url), None),
    }
    if jurisdiction_id is not None:
        doc["jurisdiction_id"] = jurisdiction_id
    return doc
