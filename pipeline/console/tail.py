"""``ProjectionTail``: the live feed when another process writes the projection (a Faust deployment).

Polls the projection's ``case_events`` table for rows added since the last poll (by rowid) and hands
each event to the hub. Starts at the current end: the board shows history, the feed shows what is new.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable

from sharpeyes.contract import CaseEvent

log = logging.getLogger(__name__)


class ProjectionTail:
    def __init__(
        self, conn: sqlite3.Connection, publish: Callable[[CaseEvent], None], batch: int = 500
    ) -> None:
        self._conn = conn
        self._publish = publish
        self._batch = batch
        row = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM case_events").fetchone()
        self.position = int(row[0])

    def poll(self) -> int:
        """Publish what was added since the last poll (at most ``batch`` rows); returns how many."""
        rows = self._conn.execute(
            "SELECT rowid, body FROM case_events WHERE rowid > ? ORDER BY rowid LIMIT ?",
            (self.position, self._batch),
        ).fetchall()
        for rowid, body in rows:
            self.position = int(rowid)
            self._publish(CaseEvent.model_validate_json(body))
        return len(rows)

    async def run(self, interval_s: float = 1.0) -> None:
        while True:
            try:
                for _ in range(100):  # catch up in batches, yielding to the loop between them
                    if self.poll() < self._batch:
                        break
                    await asyncio.sleep(0)
            except sqlite3.Error:
                log.exception("projection tail poll failed")
            await asyncio.sleep(interval_s)
