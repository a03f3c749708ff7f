"""The JSON API behind the session: cases, one case, statistics, the map, evidence and actions."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from aiohttp import web
from shapely.geometry import mapping

from pipeline.console.actions import Action, Refusal, available, plan
from pipeline.console.auth import Account
from pipeline.console.evidence import EvidenceStore
from pipeline.console.queries import hourly_counts, open_by_grid, tabulate
from pipeline.console.sink import UpdateSink, deliver
from pipeline.projection import CaseProjection
from sharpeyes.clock import Clock
from sharpeyes.contract import CaseSnapshot, CaseStatus, CaseUpdate
from sharpeyes.errors import SharpEyesError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry
from sharpeyes.timefmt import format_rfc3339

log = logging.getLogger(__name__)

ACCOUNT: web.RequestKey[Account] = web.RequestKey("account", Account)
MAX_ACTION_BYTES = 8 * 1024


def _json(doc: Any, status: int = 200) -> web.Response:
    return web.json_response(doc, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def _card(snap: CaseSnapshot) -> dict[str, Any]:
    return snap.model_dump(mode="json", exclude={"attributes", "history"})


class ConsoleViews:
    def __init__(
        self,
        projection: CaseProjection,
        update_sink: UpdateSink | None,
        registry: SiteRegistry,
        clock: Clock,
        evidence: EvidenceStore | None,
    ) -> None:
        self.projection = projection
        self.sink = update_sink
        self.registry = registry
        self.clock = clock
        self.evidence = evidence

    def _now(self) -> str:
        return format_rfc3339(self.clock.now())

    async def me(self, request: web.Request) -> web.Response:
        account = request[ACCOUNT]
        return _json({"username": account.username, "name": account.display_name, "role": account.role.value})

    async def meta(self, request: web.Request) -> web.Response:
        reg = self.registry
        return _json(
            {
                "now": self._now(),
                "street": {"id": reg.street.id, "name": reg.street.name},
                "communities": {c.id: c.name for c in reg.communities.values()},
                "grids": {
                    g.id: {"name": g.name, "community": g.community, "worker": g.worker.name}
                    for g in reg.grids.values()
                },
                "buildings": {b.id: b.name for b in reg.buildings.values()},
                "read_only": self.sink is None,
            }
        )

    async def cases(self, request: web.Request) -> web.Response:
        raw = request.query.get("status")
        try:
            status = CaseStatus(raw) if raw else None
            limit = min(max(int(request.query.get("limit", "500")), 1), 2000)
        except ValueError:
            return _json({"error": "malformed", "detail": "unknown status or bad limit"}, 400)
        cases = self.projection.cases(status, limit=limit)
        return _json({"now": self._now(), "cases": [_card(c) for c in cases]})

    async def case(self, request: web.Request) -> web.Response:
        case_id = request.match_info["case_id"]
        snap = self.projection.get(case_id)
        if snap is None:
            return _json({"error": "unknown_case"}, 404)
        events = [
            {
                "event_id": e.event_id,
                "type": e.type.value,
                "ts": format_rfc3339(e.ts),
                "alert_id": e.alert_id,
                "status": e.case.status.value,
                "severity": e.case.severity.value,
            }
            for e in self.projection.events_of(case_id)
        ]
        with_evidence = (
            [a for a in snap.alert_ids if self.evidence.get(a) is not None] if self.evidence else []
        )
        actions = [] if self.sink is None else available(request[ACCOUNT].role, snap.status)
        return _json(
            {
                "now": self._now(),
                "case": snap.model_dump(mode="json"),
                "events": events,
                "evidence": with_evidence,
                "actions": actions,
            }
        )

    async def act(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":  # a cross-site form cannot send JSON
            return _json({"error": "malformed", "detail": "send application/json"}, 415)
        if (request.content_length or 0) > MAX_ACTION_BYTES:
            return _json({"error": "malformed", "detail": "body too large"}, 413)
        if self.sink is None:
            return _json({"error": "read_only", "detail": "this console has no update sink"}, 503)
        case_id = request.match_info["case_id"]
        try:
            doc: Any = await request.json()
            action = Action(str(doc["action"]))
            note = doc.get("note")
            if note is not None and (not isinstance(note, str) or len(note) > 2000):
                raise ValueError("note")
        except (ValueError, KeyError, TypeError, AttributeError):
            return _json({"error": "malformed", "detail": "action must be one of " + ", ".join(Action)}, 400)
        current = self.projection.status_of(case_id)
        if current is None:
            return _json({"error": "unknown_case"}, 404)
        account = request[ACCOUNT]
        target = plan(account.role, action, current, note)
        if isinstance(target, Refusal):
            return _json(
                {"error": target.reason, "detail": target.detail, "current": current.value}, target.status
            )
        update = CaseUpdate(
            update_id=f"console-{uuid.uuid4().hex}",
            case_id=case_id,
            status=target,
            ts=self.clock.now(),
            actor=f"console:{account.username}",
            note=note.strip() if note else None,
        )
        try:
            await deliver(self.sink, update)
        except SharpEyesError as exc:
            log.warning("operator action not recorded", extra=fields(case_id=case_id, error=str(exc)))
            return _json({"error": "unavailable", "detail": "could not record the update; retry"}, 503)
        log.info(
            "operator action",
            extra=fields(case_id=case_id, action=action.value, status=target.value, actor=update.actor),
        )
        return _json({"update_id": update.update_id, "case_id": case_id, "status": target.value}, 202)

    async def stats(self, request: web.Request) -> web.Response:
        table = tabulate(hourly_counts(self.projection.conn), self.clock.now())
        return _json({"now": self._now(), **table})

    async def map(self, request: web.Request) -> web.Response:
        counts = open_by_grid(self.projection.conn)
        reg = self.registry
        features = []
        for grid_id, geom in reg.polygons.items():
            grid = reg.grids[grid_id]
            label = geom.representative_point()
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "grid_id": grid_id,
                        "name": grid.name,
                        "community": grid.community,
                        "community_name": reg.communities[grid.community].name,
                        "worker": grid.worker.name,
                        "open": counts.get(grid_id, 0),
                        "label": [label.x, label.y],
                    },
                    "geometry": mapping(geom),
                }
            )
        return _json({"type": "FeatureCollection", "now": self._now(), "features": features})

    async def evidence_of(self, request: web.Request) -> web.Response:
        jpeg = self.evidence.get(request.match_info["alert_id"]) if self.evidence else None
        if jpeg is None:
            return _json({"error": "no_evidence"}, 404)
        return web.Response(
            body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"}
        )

    def add_to(self, app: web.Application) -> None:
        r = app.router
        r.add_get("/api/me", self.me)
        r.add_get("/api/meta", self.meta)
        r.add_get("/api/cases", self.cases)
        r.add_get("/api/cases/{case_id}", self.case)
        r.add_post("/api/cases/{case_id}/actions", self.act)
        r.add_get("/api/stats", self.stats)
        r.add_get("/api/map", self.map)
        r.add_get("/api/evidence/{alert_id}", self.evidence_of)
