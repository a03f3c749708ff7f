"""Exponential backoff for reconnecting to a camera: quick first retries, then a ceiling."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """``next()`` gives the delay before the next attempt; ``reset()`` after a success.

    Delays double from ``initial_s`` up to ``max_s``; ``jitter`` (0..1) spreads them by up to that
    fraction downwards so 32 cameras that lost the same switch do not reconnect in lockstep.
    """

    initial_s: float = 0.5
    max_s: float = 30.0
    factor: float = 2.0
    jitter: float = 0.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError("need 0 < initial_s <= max_s")
        if self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("need factor >= 1 and 0 <= jitter <= 1")

    def next(self) -> float:
        delay = min(self.max_s, self.initial_s * self.factor**self.attempts)
        self.attempts += 1
        if self.jitter:
            delay *= 1 - self.jitter * self.rng.random()
        return delay

    def reset(self) -> None:
        self.attempts = 0
