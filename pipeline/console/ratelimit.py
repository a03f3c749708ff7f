"""Login throttling per account and client address: pure decisions over an injected clock.

After ``max_failures`` wrong passwords within ``window`` for one (username, address), further
attempts are refused (429, even with the right password) until the oldest failure leaves the window.
A success clears the key. Memory is bounded: at most ``max_keys`` keys, the stalest dropped first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharpeyes.clock import Clock


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    max_keys: int = 10_000


class LoginLimiter:
    def __init__(self, clock: Clock, policy: LoginPolicy | None = None) -> None:
        self._clock = clock
        self.policy = policy or LoginPolicy()
        self._failures: OrderedDict[tuple[str, str], list[datetime]] = OrderedDict()

    def _recent(self, key: tuple[str, str], now: datetime) -> list[datetime]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.policy.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until an attempt is allowed; 0 when it is allowed now."""
        now = self._clock.now()
        recent = self._recent((username, address), now)
        if len(recent) < self.policy.max_failures:
            return 0
        wait = recent[-self.policy.max_failures] + self.policy.window - now
        return max(1, int(wait.total_seconds() + 0.999))

    def failed(self, username: str, address: str) -> None:
        key = (username, address)
        now = self._clock.now()
        recent = self._recent(key, now)
        self._failures[key] = [*recent, now][-self.policy.max_failures :]
        self._failures.move_to_end(key)
        while len(self._failures) > self.policy.max_keys:
            self._failures.popitem(last=False)

    def succeeded(self, username: str, address: str) -> None:
        self._failures.pop((username, address), None)
