"""``POST /api/v1/cases/{case_id}/updates``: the case system's status updates, verified before they count.

Checks run cheapest-and-safest first, and each failure changes nothing:

=====  =====================  ==========================================================
code   ``error``              when
=====  =====================  ==========================================================
401    ``missing_headers``,   Standard Webhooks headers absent, timestamp more than 5 min
       ``stale_timestamp``,   off, or no signature matching an active secret
       ``bad_signature``
409    ``replay``             this ``webhook-id`` was already accepted
400    ``malformed``          not a JSON object, or a field is wrong (``field`` names it)
404    ``unknown_case``       the pipeline knows no such case
422    ``invalid_transition`` the state machine does not allow current → requested
503    ``unavailable``        Kafka did not take the update; retry with the same webhook-id
=====  =====================  ==========================================================

An accepted update is published as a ``CaseUpdate`` to ``<prefix>.cases.updates`` (key = case id)
and answered 202; an update to the status the case already has is answered 200 and not published.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from pipeline.core.lifecycle import InvalidTransition, check_transition
from pipeline.webhooks.directory import CaseDirectory
from pipeline.webhooks.errors import PublishError, VerificationError
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.publisher import Publisher
from pipeline.webhooks.replay import ReplayCache
from pipeline.webhooks.signing import Verifier
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import CaseUpdate
from sharpeyes.contract.base import parse_json_object, validate_model
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields
from sharpeyes.timefmt import format_rfc3339

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
ROUTE = "/api/v1/cases/{case_id}/updates"


class _Refusal(Exception):
    def __init__(self, status: int, reason: str, detail: str, **extra: Any) -> None:
        self.status = status
        self.reason = reason
        self.detail = detail
        self.extra = extra


class UpdatesHandler:
    def __init__(
        self,
        *,
        verifier: Verifier,
        directory: CaseDirectory,
        publisher: Publisher,
        updates_topic: str,
        replay: ReplayCache,
        clock: Clock | None = None,
        metrics: WebhookMetrics | None = None,
    ) -> None:
        self._verifier = verifier
        self._directory = directory
        self._publisher = publisher
        self._topic = updates_topic
        self._replay = replay
        self._clock = clock or SystemClock()
        self._metrics = metrics

    async def handle(self, request: web.Request) -> web.Response:
        case_id = request.match_info["case_id"]
        try:
            status, doc = await self._handle(request, case_id)
            reason = "accepted" if status == 202 else "unchanged"
        except _Refusal as refusal:
            status, reason = refusal.status, refusal.reason
            doc = {"error": refusal.reason, "detail": refusal.detail, **refusal.extra}
            log.info("case update refused", extra=fields(case_id=case_id, status=status, reason=reason))
        if self._metrics is not None:
            self._metrics.inbound.labels(status=str(status), reason=reason).inc()
        return web.json_response(doc, status=status, dumps=_dumps)

    async def _handle(self, request: web.Request, case_id: str) -> tuple[int, dict[str, Any]]:
        body = await _read_bounded(request)
        try:
            message = self._verifier.verify(request.headers, body)
        except VerificationError as exc:
            raise _Refusal(401, exc.reason, exc.detail) from None
        if not self._replay.reserve(message.msg_id):
            raise _Refusal(409, "replay", f"webhook-id {message.msg_id} was already accepted")
        try:
            return await self._apply(case_id, message.msg_id, body)
        except BaseException:
            self._replay.release(message.msg_id)
            raise

    async def _apply(self, case_id: str, msg_id: str, body: bytes) -> tuple[int, dict[str, Any]]:
        update = self._parse(case_id, msg_id, body)
        current = self._directory.status_of(case_id)
        if current is None:
            raise _Refusal(404, "unknown_case", f"no case {case_id}")
        try:
            changed = check_transition(current, update.status)
        except InvalidTransition as exc:
            raise _Refusal(422, "invalid_transition", str(exc), current=current.value) from None
        doc = {"update_id": update.update_id, "case_id": case_id, "status": update.status.value}
        if not changed:
            return 200, {**doc, "changed": False}
        try:
            await self._publisher.publish(self._topic, case_id.encode(), update.to_bytes())
        except PublishError as exc:
            log.warning("case update not published", extra=fields(case_id=case_id, error=str(exc)))
            raise _Refusal(503, "unavailable", "could not record the update; retry later") from None
        log.info("case update accepted", extra=fields(case_id=case_id, status=update.status.value))
        return 202, {**doc, "changed": True}

    def _parse(self, case_id: str, msg_id: str, body: bytes) -> CaseUpdate:
        """The body: ``{"status", "actor", "note"?, "ts"?, "update_id"?}``; the path gives the case."""
        try:
            data = parse_json_object(body)
            if data.get("case_id", case_id) != case_id:
                raise ContractError("case_id", "differs from the case in the URL")
            data = {
                "update_id": msg_id,
                "ts": format_rfc3339(self._clock.now()),
                **data,
                "schema": "sharpeyes.case_update/1",
                "case_id": case_id,
            }
            return validate_model(CaseUpdate, data)
        except ContractError as exc:
            raise _Refusal(400, "malformed", exc.problem, field=exc.field) from None


async def _read_bounded(request: web.Request) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(16 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _Refusal(400, "malformed", f"body larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _dumps(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)


def add_inbound_routes(app: web.Application, handler: UpdatesHandler) -> None:
    app.router.add_post(ROUTE, handler.handle)


def create_inbound_app(handler: UpdatesHandler) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES * 2)
    add_inbound_routes(app, handler)
    return app
