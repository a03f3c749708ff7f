"""Evidence snapshots the console serves behind the session.

``EvidenceStore`` is the seam: anything that answers ``get(alert_id)`` with JPEG bytes. For now the
console keeps the alerts' inline ``evidence.snapshot_jpeg`` in a bounded in-memory store that the
caller feeds with each alert it submits (``keep_raw``); evidence referenced only by ``uri`` (object
storage) needs a store that fetches it, which is not written yet.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections import OrderedDict
from typing import Protocol

from sharpeyes.contract import Alert, decode_alert
from sharpeyes.errors import ContractError


def snapshot_of(alert: Alert) -> bytes | None:
    """The alert's inline JPEG, or None when it has none, it is not a JPEG, or it does not match the
    alert's ``evidence.sha256`` (a snapshot that is not what the camera sent is never served)."""
    if alert.evidence is None or alert.evidence.snapshot_jpeg is None:
        return None
    try:
        jpeg = base64.b64decode(alert.evidence.snapshot_jpeg, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not jpeg.startswith(b"\xff\xd8"):
        return None
    if alert.evidence.sha256 is not None and hashlib.sha256(jpeg).hexdigest() != alert.evidence.sha256:
        return None
    return jpeg


class EvidenceStore(Protocol):
    def get(self, alert_id: str) -> bytes | None:
        """The JPEG snapshot of the alert, or None when this store does not have it."""
        ...


class MemoryEvidenceStore:
    """The latest snapshots, at most ``max_bytes`` in all; the oldest are forgotten first."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0

    def get(self, alert_id: str) -> bytes | None:
        return self._items.get(alert_id)

    def put(self, alert_id: str, jpeg: bytes) -> None:
        if len(jpeg) > self.max_bytes:
            return
        old = self._items.pop(alert_id, None)
        self._size -= len(old) if old is not None else 0
        self._items[alert_id] = jpeg
        self._size += len(jpeg)
        while self._size > self.max_bytes:
            _, dropped = self._items.popitem(last=False)
            self._size -= len(dropped)

    def keep(self, alert: Alert) -> bool:
        jpeg = snapshot_of(alert)
        if jpeg is None:
            return False
        self.put(alert.alert_id, jpeg)
        return True

    def keep_raw(self, raw: bytes) -> bool:
        """Keep the snapshot of raw alert bytes; the pipeline dead-letters what does not decode."""
        try:
            return self.keep(decode_alert(raw))
        except ContractError:
            return False
