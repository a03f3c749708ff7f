"""Signed, expiring links to evidence snapshots, and the aiohttp route that serves them.

A link is ``{base}/evidence/{alert_id}?expires={unix}&sig={urlsafe-base64 HMAC-SHA256}`` over
``{alert_id}.{expires}``: the case system can fetch a snapshot without an account, a leaked link
stops working at ``expires``, and changing any part of it breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from pipeline.webhooks.errors import WebhookError
from sharpeyes.clock import Clock, SystemClock


class LinkError(WebhookError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class SnapshotStore(Protocol):
    async def snapshot(self, alert_id: str) -> bytes | None:
        """The JPEG bytes of an alert's evidence, or None."""
        ...


class InMemorySnapshotStore:
    def __init__(self, snapshots: dict[str, bytes] | None = None) -> None:
        self.snapshots = dict(snapshots or {})

    async def snapshot(self, alert_id: str) -> bytes | None:
        return self.snapshots.get(alert_id)


class EvidenceLinkSigner:
    def __init__(self, key: bytes, base_url: str, ttl: timedelta, clock: Clock | None = None) -> None:
        if len(key) < 16:
            raise ValueError("the evidence link key needs at least 16 bytes")
        self._key = key
        self._base = base_url.rstrip("/")
        self._ttl = ttl
        self._clock = clock or SystemClock()

    def _sig(self, alert_id: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{alert_id}.{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def url_for(self, alert_id: str, now: datetime | None = None) -> str:
        expires = int(((now or self._clock.now()) + self._ttl).timestamp())
        path = f"{self._base}/evidence/{quote(alert_id, safe='')}"
        return f"{path}?expires={expires}&sig={self._sig(alert_id, expires)}"

    def check(self, alert_id: str, expires: str | None, sig: str | None) -> None:
        """Raise ``LinkError`` ('bad signature' or 'expired') unless the link is genuine and current."""
        if not expires or not sig or not expires.isdigit() or len(expires) > 12:
            raise LinkError("bad signature")
        if not hmac.compare_digest(self._sig(alert_id, int(expires)).encode(), sig.encode()):
            raise LinkError("bad signature")
        if int(expires) < self._clock.now().timestamp():
            raise LinkError("expired")


def add_evidence_route(app: web.Application, signer: EvidenceLinkSigner, store: SnapshotStore) -> None:
    """``GET /evidence/{alert_id}``: 403 for a bad or expired link, 404 when there is no snapshot."""

    async def serve(request: web.Request) -> web.StreamResponse:
        alert_id = request.match_info["alert_id"]
        try:
            signer.check(alert_id, request.query.get("expires"), request.query.get("sig"))
        except LinkError as exc:
            return web.json_response({"error": exc.reason}, status=403)
        data = await store.snapshot(alert_id)
        if data is None:
            return web.json_response({"error": "no snapshot for this alert"}, status=404)
        return web.Response(
            body=data, content_type="image/jpeg", headers={"Cache-Control": "private, max-age=300"}
        )

    app.router.add_get("/evidence/{alert_id}", serve)
