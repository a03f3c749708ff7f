"""A local stand-in for the city's case system: verifies each webhook's signature and logs it.

It does what a real receiver should: refuse what does not verify (401), and accept each
``webhook-id`` once (a repeat after a retry or a restart answers 200 and is not counted again).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from pipeline.webhooks.errors import VerificationError
from pipeline.webhooks.signing import Verifier, WebhookSecret
from sharpeyes.logs import fields

log = logging.getLogger("sharpeyes.demo.receiver")


@dataclass
class ReceiverLog:
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)
    repeats: int = 0
    refused: int = 0


def build_receiver(secret: WebhookSecret, record: ReceiverLog) -> web.Application:
    verifier = Verifier([secret])

    async def cases(request: web.Request) -> web.Response:
        body = await request.read()
        try:
            message = verifier.verify(request.headers, body)
        except VerificationError as exc:
            record.refused += 1
            log.warning("case system refused a webhook", extra=fields(reason=str(exc)))
            return web.json_response({"error": "bad signature"}, status=401)
        if message.msg_id in record.accepted:
            record.repeats += 1
            return web.json_response({"ok": True, "repeat": True})
        doc = json.loads(body)
        record.accepted[message.msg_id] = doc
        case = doc.get("case", {})
        log.info(
            "case system received",
            extra=fields(
                webhook_id=message.msg_id,
                event=doc.get("event", {}).get("type"),
                case=case.get("id"),
                title=(case.get("title") or {}).get("zh"),
            ),
        )
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/cases", cases)
    return app
