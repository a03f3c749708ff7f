"""Evidence snapshots on disk for a Faust deployment, so the signed links in webhooks resolve.

In the embedded runner the console keeps snapshots in memory; in a Faust deployment no worker keeps
them (case events carry no pictures), so ``pipeline project --evidence`` follows ``<prefix>.alerts.raw``
and files each alert's inline JPEG here. SQLite (WAL) because the box already runs the projection
there, the archive must survive restarts (a link stays valid for days) and one indexed lookup per
request is all the route needs. The archive is bounded in bytes: the oldest snapshots go first.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from pathlib import Path

from pipeline.console.evidence import snapshot_of
from sharpeyes.contract import decode_alert
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshot (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL UNIQUE,
    jpeg BLOB NOT NULL
)
"""


class EvidenceArchive:
    """Alert id → JPEG, at most ``max_bytes`` of pictures; a console ``EvidenceStore`` and a
    ``SnapshotStore`` for the evidence-link route."""

    def __init__(self, conn: sqlite3.Connection, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.max_bytes = max_bytes
        self.evicted = 0
        self._conn = conn
        self._lock = threading.Lock()  # the route reads from a worker thread while a batch is filed
        row = conn.execute("SELECT COALESCE(SUM(LENGTH(jpeg)), 0) FROM snapshot").fetchone()
        self._size = int(row[0])

    @classmethod
    def open(cls, path: Path, max_bytes: int = 1 << 30) -> EvidenceArchive:
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(_SCHEMA)
        return cls(conn, max_bytes)

    @property
    def size_bytes(self) -> int:
        return self._size

    def get(self, alert_id: str) -> bytes | None:
        with self._lock:
            row = self._conn.execute("SELECT jpeg FROM snapshot WHERE alert_id = ?", (alert_id,)).fetchone()
        return None if row is None else bytes(row[0])

    async def snapshot(self, alert_id: str) -> bytes | None:
        return await asyncio.to_thread(self.get, alert_id)

    def file_batch(self, raw_alerts: list[bytes]) -> int:
        """File the snapshots of a batch of raw alert messages in one transaction; returns how many.
        Messages that do not decode are skipped: the worker dead-letters them with the reason."""
        kept = 0
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                for raw in raw_alerts:
                    try:
                        alert = decode_alert(raw)
                    except ContractError:
                        continue
                    jpeg = snapshot_of(alert)
                    if jpeg is None or len(jpeg) > self.max_bytes:
                        continue
                    if self._put(alert.alert_id, jpeg):
                        kept += 1
                self._evict()
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return kept

    def _put(self, alert_id: str, jpeg: bytes) -> bool:
        """False for an alert already filed (an edge retry or a redelivery): its picture is the same."""
        cur = self._conn.execute(
            "INSERT INTO snapshot (alert_id, jpeg) VALUES (?, ?) ON CONFLICT (alert_id) DO NOTHING",
            (alert_id, jpeg),
        )
        if cur.rowcount:
            self._size += len(jpeg)
        return bool(cur.rowcount)

    def _evict(self) -> None:
        dropped = 0
        while self._size > self.max_bytes:
            row = self._conn.execute("SELECT seq, LENGTH(jpeg) FROM snapshot ORDER BY seq LIMIT 1").fetchone()
            if row is None:
                break
            self._conn.execute("DELETE FROM snapshot WHERE seq = ?", (row[0],))
            self._size -= int(row[1])
            dropped += 1
        if dropped:
            self.evicted += dropped
            log.info("evidence archive full, oldest dropped", extra=fields(dropped=dropped, bytes=self._size))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
