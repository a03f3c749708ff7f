"""The case projection: the latest snapshot of every case and its event log, in SQLite.

The console and the inbound API read it (``status_of`` makes it a ``CaseDirectory``). The embedded
runner writes it in the same transaction as its decisions; with Faust, a consumer of
``sharpeyes.cases`` applies the events (they carry full snapshots, so applying is idempotent and order
within a case is all that matters: an older event never overwrites a newer snapshot).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sharpeyes.contract import CaseEvent, CaseSnapshot, CaseStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    case_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL,
    street TEXT NOT NULL,
    community TEXT NOT NULL,
    grid TEXT NOT NULL,
    building TEXT,
    opened_at TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    alert_count INTEGER NOT NULL,
    escalation_level TEXT,
    snapshot TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cases_status ON cases(status);
CREATE INDEX IF NOT EXISTS cases_grid ON cases(grid);
CREATE TABLE IF NOT EXISTS case_events (
    event_id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL,
    type TEXT NOT NULL,
    ts TEXT NOT NULL,
    alert_id TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_events_case ON case_events(case_id);
"""


def _seq(event_id: str) -> int:
    tail = event_id.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class CaseProjection:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.executescript(SCHEMA)

    @classmethod
    def open(cls, path: str) -> CaseProjection:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return cls(conn)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def apply(self, event: CaseEvent) -> bool:
        """Record the event; returns False for a repeat (same event id). Call inside a transaction."""
        body = event.to_bytes().decode()
        doc = json.loads(body)
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO case_events(event_id, case_id, type, ts, alert_id, body) "
            "VALUES (?,?,?,?,?,?)",
            (event.event_id, event.case_id, event.type.value, doc["ts"], event.alert_id, body),
        )
        if cur.rowcount == 0:
            return False
        snap, case = event.case, doc["case"]
        loc = snap.location
        self.conn.execute(
            """INSERT INTO cases(case_id, seq, case_key, kind, severity, status, street, community, grid,
                                 building, opened_at, last_seen, alert_count, escalation_level, snapshot)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(case_id) DO UPDATE SET
                 seq=excluded.seq, severity=excluded.severity, status=excluded.status,
                 last_seen=excluded.last_seen, alert_count=excluded.alert_count,
                 escalation_level=excluded.escalation_level, snapshot=excluded.snapshot
               WHERE excluded.seq > cases.seq""",
            (
                event.case_id,
                _seq(event.event_id),
                snap.case_key,
                snap.kind.value,
                snap.severity.value,
                snap.status.value,
                loc.street,
                loc.community,
                loc.grid,
                loc.building,
                case["opened_at"],
                case["last_seen"],
                snap.alert_count,
                snap.escalation_level.value if snap.escalation_level else None,
                json.dumps(case, ensure_ascii=False),
            ),
        )
        return True

    def status_of(self, case_id: str) -> CaseStatus | None:
        row = self.conn.execute("SELECT status FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        return None if row is None else CaseStatus(row[0])

    def get(self, case_id: str) -> CaseSnapshot | None:
        row = self.conn.execute("SELECT snapshot FROM cases WHERE case_id = ?", (case_id,)).fetchone()
        return None if row is None else CaseSnapshot.model_validate_json(row[0])

    def cases(self, status: CaseStatus | None = None, limit: int = 500) -> list[CaseSnapshot]:
        if status is None:
            rows = self.conn.execute("SELECT snapshot FROM cases ORDER BY last_seen DESC LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(
                "SELECT snapshot FROM cases WHERE status = ? ORDER BY last_seen DESC LIMIT ?",
                (status.value, limit),
            )
        return [CaseSnapshot.model_validate_json(r[0]) for r in rows]

    def counts_by(self, column: str) -> dict[str, int]:
        """Cases per community, grid, kind or status: the tables street offices publish."""
        if column not in {"community", "grid", "kind", "status", "street", "severity"}:
            raise ValueError(f"cannot group by {column}")
        rows = self.conn.execute(f"SELECT {column}, COUNT(*) FROM cases GROUP BY {column}")  # noqa: S608 - checked
        return {str(k): int(n) for k, n in rows}

    def events_of(self, case_id: str) -> list[CaseEvent]:
        rows = self.conn.execute("SELECT body FROM case_events WHERE case_id = ? ORDER BY rowid", (case_id,))
        return [CaseEvent.model_validate_json(r[0]) for r in rows]
