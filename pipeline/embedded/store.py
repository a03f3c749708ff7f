"""SQLite-backed state for the embedded runner: case key states, dedupe marks, IoT device states."""

from __future__ import annotations

import sqlite3

from pipeline.core.iot_rules import DeviceState
from pipeline.core.state import KeyState

SCHEMA = """
CREATE TABLE IF NOT EXISTS key_states (key TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen_alerts (alert_id TEXT PRIMARY KEY, first_seen REAL NOT NULL);
CREATE INDEX IF NOT EXISTS seen_alerts_time ON seen_alerts(first_seen);
CREATE TABLE IF NOT EXISTS devices (device_id TEXT PRIMARY KEY, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, reason TEXT NOT NULL, detail TEXT NOT NULL, source TEXT NOT NULL,
    original BLOB NOT NULL, at TEXT NOT NULL
);
"""


class SqliteCaseStore:
    """``CaseStore`` over SQLite; the runner wraps each command in one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.executescript(SCHEMA)

    def get(self, key: str) -> KeyState | None:
        row = self.conn.execute("SELECT doc FROM key_states WHERE key = ?", (key,)).fetchone()
        return None if row is None else KeyState.model_validate_json(row[0])

    def put(self, key: str, state: KeyState) -> None:
        self.conn.execute(
            "INSERT INTO key_states(key, doc) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET doc = excluded.doc",
            (key, state.to_bytes().decode()),
        )

    def delete(self, key: str) -> None:
        self.conn.execute("DELETE FROM key_states WHERE key = ?", (key,))

    def keys(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT key FROM key_states")]

    # dedupe ----------------------------------------------------------------------------------
    def first_time(self, alert_id: str, at_s: float) -> bool:
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO seen_alerts(alert_id, first_seen) VALUES (?, ?)", (alert_id, at_s)
        )
        return cur.rowcount == 1

    def forget_seen_before(self, horizon_s: float) -> int:
        return self.conn.execute("DELETE FROM seen_alerts WHERE first_seen < ?", (horizon_s,)).rowcount

    # IoT ---------------------------------------------------------------------------------------
    def device(self, device_id: str) -> DeviceState:
        row = self.conn.execute("SELECT doc FROM devices WHERE device_id = ?", (device_id,)).fetchone()
        return DeviceState() if row is None else DeviceState.model_validate_json(row[0])

    def put_device(self, device_id: str, state: DeviceState) -> None:
        self.conn.execute(
            "INSERT INTO devices(device_id, doc) VALUES (?, ?) "
            "ON CONFLICT(device_id) DO UPDATE SET doc = excluded.doc",
            (device_id, state.model_dump_json()),
        )

    def dead_letter(self, reason: str, detail: str, source: str, original: bytes, at: str) -> None:
        self.conn.execute(
            "INSERT INTO dead_letters(reason, detail, source, original, at) VALUES (?,?,?,?,?)",
            (reason, detail, source, original, at),
        )

    def dead_letter_counts(self) -> dict[str, int]:
        return {
            r: n for r, n in self.conn.execute("SELECT reason, COUNT(*) FROM dead_letters GROUP BY reason")
        }
