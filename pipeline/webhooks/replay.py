"""A bounded memory of recently accepted ``webhook-id`` values, to answer a replay with 409.

Entries live ``ttl``; a TTL of at least twice the timestamp tolerance is enough, because an older
message fails the timestamp check before it is looked up here. ``max_entries`` caps memory under a
flood; the oldest entries go first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sharpeyes.clock import Clock, SystemClock


class ReplayCache:
    def __init__(self, ttl: timedelta, clock: Clock | None = None, max_entries: int = 100_000) -> None:
        if ttl <= timedelta(0) or max_entries < 1:
            raise ValueError("ttl must be positive and max_entries >= 1")
        self._ttl = ttl
        self._clock = clock or SystemClock()
        self._max = max_entries
        self._expiry: dict[str, datetime] = {}  # insertion order = expiry order

    def __len__(self) -> int:
        return len(self._expiry)

    def reserve(self, msg_id: str) -> bool:
        """True for a first sighting (now remembered), False for a replay."""
        now = self._clock.now()
        self._purge(now)
        if msg_id in self._expiry:
            return False
        while len(self._expiry) >= self._max:
            del self._expiry[next(iter(self._expiry))]
        self._expiry[msg_id] = now + self._ttl
        return True

    def release(self, msg_id: str) -> None:
        """Forget an id whose message was not accepted, so the sender may retry it."""
        self._expiry.pop(msg_id, None)

    def _purge(self, now: datetime) -> None:
        while self._expiry:
            oldest = next(iter(self._expiry))
            if self._expiry[oldest] > now:
                break
            del self._expiry[oldest]
