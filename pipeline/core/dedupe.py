"""Exact duplicate detection by ``alert_id`` with a TTL, over an injected key-value store.

Edge agents retry; Kafka redelivers; a topic is replayed. The same ``alert_id`` seen again within the
TTL is dropped. Memory is bounded by the TTL: ``expired`` lists what a periodic sweep removes.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from datetime import datetime, timedelta


class DedupeWindow:
    def __init__(self, seen: MutableMapping[str, float], ttl: timedelta) -> None:
        self._seen = seen  # alert_id -> epoch seconds first seen (event time)
        self.ttl_s = ttl.total_seconds()

    def first_time(self, alert_id: str, at: datetime) -> bool:
        """True (and remember it) the first time ``alert_id`` is seen; False for a repeat."""
        if alert_id in self._seen:
            return False
        self._seen[alert_id] = at.timestamp()
        return True

    def expired(self, now: datetime, items: Iterable[tuple[str, float]]) -> list[str]:
        horizon = now.timestamp() - self.ttl_s
        return [k for k, t in items if t < horizon]
