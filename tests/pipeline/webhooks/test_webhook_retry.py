"""The retry policy: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.webhooks.retry import (
    AttemptOutcome,
    BackoffPolicy,
    OutcomeKind,
    Step,
    decide,
    parse_retry_after,
)

POLICY = BackoffPolicy(initial_s=1.0, multiplier=2.0, max_s=60.0, jitter=0.0, max_attempts=5, max_age_s=600)


def http(status: int, retry_after: float | None = None) -> AttemptOutcome:
    return AttemptOutcome(OutcomeKind.HTTP, status=status, retry_after_s=retry_after)


@pytest.mark.parametrize(
    ("outcome", "step"),
    [
        pytest.param(http(200), Step.DELIVERED, id="200"),
        pytest.param(http(204), Step.DELIVERED, id="204"),
        pytest.param(http(500), Step.RETRY, id="500"),
        pytest.param(http(503), Step.RETRY, id="503"),
        pytest.param(http(429), Step.RETRY, id="429"),
        pytest.param(http(408), Step.RETRY, id="408"),
        pytest.param(AttemptOutcome(OutcomeKind.CONNECTION_ERROR), Step.RETRY, id="refused"),
        pytest.param(AttemptOutcome(OutcomeKind.TIMEOUT), Step.RETRY, id="timeout"),
        pytest.param(http(400), Step.GIVE_UP, id="400"),
        pytest.param(http(401), Step.GIVE_UP, id="401"),
        pytest.param(http(404), Step.GIVE_UP, id="404"),
        pytest.param(http(410), Step.GIVE_UP, id="410"),
        pytest.param(http(422), Step.GIVE_UP, id="422"),
        pytest.param(http(301), Step.GIVE_UP, id="redirect-not-followed"),
    ],
)
def test_classification(outcome: AttemptOutcome, step: Step) -> None:
    assert decide(POLICY, outcome, attempt=1, age_s=0.0, rng=random.Random(1)).step is step


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = BackoffPolicy(initial_s=1, multiplier=2, max_s=5, jitter=0, max_attempts=99, max_age_s=1e9)
    delays = [decide(policy, http(503), n, 0.0, random.Random(0)).delay_s for n in range(1, 6)]
    assert delays == [1, 2, 4, 5, 5]


def test_retry_after_is_honoured_when_longer_than_the_backoff() -> None:
    assert decide(POLICY, http(429, retry_after=17), 1, 0.0, random.Random(0)).delay_s == 17
    assert decide(POLICY, http(503, retry_after=0), 3, 0.0, random.Random(0)).delay_s == 4


def test_gives_up_after_max_attempts_naming_the_last_error() -> None:
    decision = decide(POLICY, http(503), attempt=5, age_s=1.0, rng=random.Random(0))
    assert decision.step is Step.GIVE_UP
    assert "5 attempts" in decision.reason and "HTTP 503" in decision.reason


def test_gives_up_at_max_age_and_makes_a_last_attempt_at_the_deadline() -> None:
    assert decide(POLICY, http(503), 2, age_s=600.0, rng=random.Random(0)).step is Step.GIVE_UP
    last = decide(POLICY, http(503), 2, age_s=599.5, rng=random.Random(0))
    assert last.step is Step.RETRY and last.delay_s == pytest.approx(0.5)
    beyond = decide(POLICY, http(429, retry_after=3600), 2, age_s=10, rng=random.Random(0))
    assert beyond.step is Step.GIVE_UP and "max age" in beyond.reason


@given(attempt=st.integers(1, 40), seed=st.integers(0, 2**32), jitter=st.floats(0, 1))
def test_jittered_delay_stays_within_its_band(attempt: int, seed: int, jitter: float) -> None:
    policy = BackoffPolicy(initial_s=0.5, multiplier=3, max_s=120, jitter=jitter, max_attempts=1000)
    base = min(120.0, 0.5 * 3 ** (attempt - 1))
    delay = policy.backoff(attempt, random.Random(seed))
    assert base * (1 - jitter) - 1e-9 <= delay <= base + 1e-9


def test_jitter_spreads_retries_of_many_senders() -> None:
    policy = BackoffPolicy(initial_s=10, jitter=0.5)
    delays = {round(policy.backoff(1, random.Random(seed)), 3) for seed in range(50)}
    assert len(delays) > 40
    assert min(delays) >= 5 and max(delays) <= 10


NOW = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param("120", 120.0, id="delta-seconds"),
        pytest.param(" 0 ", 0.0, id="zero"),
        pytest.param("Sun, 01 Mar 2026 08:00:30 GMT", 30.0, id="http-date"),
        pytest.param("Sun, 01 Mar 2026 07:00:00 GMT", 0.0, id="date-in-the-past"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("-5", None, id="negative"),
        pytest.param(None, None, id="absent"),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds
