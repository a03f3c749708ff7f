"""The console's read queries over the case projection's tables (``pipeline.projection.SCHEMA``).

Aggregation into the tables street offices publish is pure (``tabulate``); the SQL only groups.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sharpeyes.contract import CaseStatus

TERMINAL = (CaseStatus.CLOSED.value, CaseStatus.REJECTED_FALSE_POSITIVE.value)
LOCAL = ZoneInfo("Asia/Shanghai")


def open_by_grid(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT grid, COUNT(*) FROM cases WHERE status NOT IN (?, ?) GROUP BY grid", TERMINAL)
    return {str(g): int(n) for g, n in rows}


def hourly_counts(conn: sqlite3.Connection) -> list[tuple[str, str, str, str, int]]:
    """(community, kind, status, opened hour ``YYYY-MM-DDTHH`` in UTC, count)."""
    rows = conn.execute(
        "SELECT community, kind, status, substr(opened_at, 1, 13), COUNT(*) FROM cases GROUP BY 1, 2, 3, 4"
    )
    return [(str(c), str(k), str(s), str(h), int(n)) for c, k, s, h, n in rows]


def _row() -> dict[str, int]:
    return {"total": 0, "open": 0, "closed": 0, "false_positive": 0}


def _count(row: dict[str, int], status: str, n: int) -> None:
    row["total"] += n
    if status == CaseStatus.REJECTED_FALSE_POSITIVE.value:
        row["false_positive"] += n
    elif status == CaseStatus.CLOSED.value:
        row["closed"] += n
    else:
        row["open"] += n


def tabulate(
    rows: Iterable[tuple[str, str, str, str, int]], today: datetime, days: int = 14
) -> dict[str, Any]:
    """Cases by community, by kind and by local day (the last ``days`` days up to ``today``)."""
    by_community: dict[str, dict[str, int]] = defaultdict(_row)
    by_kind: dict[str, dict[str, int]] = defaultdict(_row)
    by_day: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    first_day = (today.astimezone(LOCAL) - timedelta(days=days - 1)).date().isoformat()
    for community, kind, status, hour, n in rows:
        _count(by_community[community], status, n)
        _count(by_kind[kind], status, n)
        local_day = datetime.fromisoformat(hour + ":00:00+00:00").astimezone(LOCAL).date().isoformat()
        if local_day >= first_day:
            by_day[local_day][kind] += n
            by_day[local_day]["total"] += n
    return {
        "by_community": [{"community": c, **r} for c, r in sorted(by_community.items())],
        "by_kind": [{"kind": k, **r} for k, r in sorted(by_kind.items(), key=lambda kv: -kv[1]["total"])],
        "by_day": [{"day": d, **dict(r)} for d, r in sorted(by_day.items(), reverse=True)],
    }
