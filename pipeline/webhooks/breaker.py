"""A circuit breaker per endpoint, so a dead receiver gets one probe per cool-down, not a flood.

closed → (``failure_threshold`` receiver failures in a row) → open → (``open_s`` later) → half-open,
where exactly one caller may probe: success closes the breaker, failure opens it again.
Time comes from an injected monotonic clock, so tests move it by hand.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class BreakerState(StrEnum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"

    @property
    def gauge(self) -> int:
        """0 closed, 1 half-open, 2 open: the metric's value."""
        return {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}[self]


@dataclass(frozen=True)
class BreakerSettings:
    failure_threshold: int = 5
    open_s: float = 30.0
    probe_poll_s: float = 0.5  # how often a caller waiting behind a probe asks again


class CircuitBreaker:
    def __init__(self, settings: BreakerSettings, clock: Callable[[], float] = time.monotonic) -> None:
        if settings.failure_threshold < 1 or settings.open_s <= 0:
            raise ValueError("failure_threshold must be >= 1 and open_s > 0")
        self._settings = settings
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at < self._settings.open_s:
            return BreakerState.OPEN
        return BreakerState.HALF_OPEN

    def acquire(self) -> float:
        """0.0 when the caller may send now (in half-open it becomes the probe), else seconds to wait."""
        state = self.state
        if state is BreakerState.CLOSED:
            return 0.0
        if state is BreakerState.OPEN:
            assert self._opened_at is not None  # noqa: S101 - implied by OPEN
            return self._opened_at + self._settings.open_s - self._clock()
        if self._probing:
            return min(self._settings.probe_poll_s, self._settings.open_s)
        self._probing = True
        return 0.0

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._probing = False
        self._failures += 1
        if self._opened_at is not None or self._failures >= self._settings.failure_threshold:
            self._opened_at = self._clock()

    def release(self) -> None:
        """A caller that acquired but never sent (cancelled) gives the probe back."""
        self._probing = False
