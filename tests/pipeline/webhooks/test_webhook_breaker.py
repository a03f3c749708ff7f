"""The circuit breaker on a hand-moved clock."""

from __future__ import annotations

import pytest

from pipeline.webhooks.breaker import BreakerSettings, BreakerState, CircuitBreaker


class Tick:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def tick() -> Tick:
    return Tick()


def breaker(tick: Tick) -> CircuitBreaker:
    return CircuitBreaker(BreakerSettings(failure_threshold=3, open_s=10.0, probe_poll_s=0.5), clock=tick)


def test_opens_after_threshold_consecutive_failures(tick: Tick) -> None:
    b = breaker(tick)
    for _ in range(2):
        b.record_failure()
    b.record_success()  # a success in between resets the count
    for _ in range(2):
        b.record_failure()
    assert b.state is BreakerState.CLOSED and b.acquire() == 0.0
    b.record_failure()
    assert b.state is BreakerState.OPEN
    assert b.acquire() == pytest.approx(10.0)
    tick.t += 4
    assert b.acquire() == pytest.approx(6.0)


def test_half_open_lets_exactly_one_probe_through(tick: Tick) -> None:
    b = breaker(tick)
    for _ in range(3):
        b.record_failure()
    tick.t += 10
    assert b.state is BreakerState.HALF_OPEN
    assert b.acquire() == 0.0  # the probe
    assert b.acquire() == 0.5  # everyone else waits behind it
    b.record_success()
    assert b.state is BreakerState.CLOSED
    assert b.acquire() == 0.0 and b.acquire() == 0.0


def test_failed_probe_opens_again_for_a_full_period(tick: Tick) -> None:
    b = breaker(tick)
    for _ in range(3):
        b.record_failure()
    tick.t += 12
    assert b.acquire() == 0.0
    b.record_failure()
    assert b.state is BreakerState.OPEN
    assert b.acquire() == pytest.approx(10.0)


def test_released_probe_can_be_taken_by_another_caller(tick: Tick) -> None:
    b = breaker(tick)
    for _ in range(3):
        b.record_failure()
    tick.t += 10
    assert b.acquire() == 0.0
    b.release()
    assert b.acquire() == 0.0


def test_gauge_values() -> None:
    assert [s.gauge for s in (BreakerState.CLOSED, BreakerState.HALF_OPEN, BreakerState.OPEN)] == [0, 1, 2]
