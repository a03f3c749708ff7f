"""When to try a delivery again, and when to give up: a pure policy over attempt outcomes.

Connection errors, timeouts, 408, 429 and 5xx are worth retrying (429 and 503 with their
``Retry-After``); any other 4xx or a redirect is a receiver saying no, and trying again cannot help.
Backoff is exponential with jitter, so many dispatchers that failed together do not retry together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum


class OutcomeKind(StrEnum):
    HTTP = "http"
    CONNECTION_ERROR = "connection_error"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class AttemptOutcome:
    """What one POST came back with."""

    kind: OutcomeKind
    status: int | None = None
    retry_after_s: float | None = None
    detail: str = ""

    @property
    def delivered(self) -> bool:
        return self.kind is OutcomeKind.HTTP and self.status is not None and 200 <= self.status < 300

    @property
    def retriable(self) -> bool:
        if self.kind is not OutcomeKind.HTTP:
            return True
        return self.status is not None and (self.status in (408, 429) or self.status >= 500)

    @property
    def receiver_failed(self) -> bool:
        """Counts against the circuit breaker: the receiver is down or broken, not just saying no."""
        if self.kind is not OutcomeKind.HTTP:
            return True
        return self.status is not None and self.status >= 500

    @property
    def label(self) -> str:
        """Low-cardinality name for metrics: ``2xx``, ``4xx``, ``429``, ``5xx``, ``timeout``..."""
        if self.kind is not OutcomeKind.HTTP or self.status is None:
            return self.kind.value
        if self.status == 429:
            return "429"
        return f"{self.status // 100}xx"

    def describe(self) -> str:
        head = f"HTTP {self.status}" if self.kind is OutcomeKind.HTTP else self.kind.value
        return f"{head}: {self.detail}" if self.detail else head


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from ``now``: delta-seconds or an HTTP date; None when absent or bad."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


@dataclass(frozen=True)
class BackoffPolicy:
    initial_s: float = 1.0
    multiplier: float = 2.0
    max_s: float = 300.0
    jitter: float = 0.5  # share of each delay that is random: 0 = none, 1 = "full jitter"
    max_attempts: int = 12
    max_age_s: float = 24 * 3600.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_s, self.initial_s * self.multiplier ** (attempt - 1))
        return base * (1.0 - self.jitter * rng.random())


class Step(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"


@dataclass(frozen=True)
class Decision:
    step: Step
    delay_s: float = 0.0
    reason: str = ""


def decide(
    policy: BackoffPolicy, outcome: AttemptOutcome, attempt: int, age_s: float, rng: random.Random
) -> Decision:
    """After attempt ``attempt`` (1-based) at ``age_s`` seconds since the first: deliver, retry or give up."""
    if outcome.delivered:
        return Decision(Step.DELIVERED)
    if not outcome.retriable:
        return Decision(Step.GIVE_UP, reason=f"rejected: {outcome.describe()}")
    if attempt >= policy.max_attempts:
        return Decision(Step.GIVE_UP, reason=f"{attempt} attempts, last: {outcome.describe()}")
    delay = policy.backoff(attempt, rng)
    if outcome.retry_after_s is not None:
        delay = max(delay, outcome.retry_after_s)
    remaining = policy.max_age_s - age_s
    if remaining <= 0 or (outcome.retry_after_s is not None and outcome.retry_after_s > remaining):
        return Decision(Step.GIVE_UP, reason=f"max age {policy.max_age_s:g}s, last: {outcome.describe()}")
    # one last attempt right at the deadline rather than none at all
    return Decision(Step.RETRY, delay_s=min(delay, remaining))
