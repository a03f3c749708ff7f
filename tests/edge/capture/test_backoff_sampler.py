"""Backoff delays and the fps sampler: pure arithmetic, tested as tables and properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edge.capture import Backoff, FrameSampler


@pytest.mark.parametrize(
    ("initial", "maximum", "expected"),
    [
        pytest.param(0.5, 30.0, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0], id="doubles-to-ceiling"),
        pytest.param(1.0, 1.0, [1.0, 1.0, 1.0], id="flat"),
    ],
)
def test_backoff_doubles_up_to_the_ceiling(initial: float, maximum: float, expected: list[float]) -> None:
    backoff = Backoff(initial_s=initial, max_s=maximum)
    assert [backoff.next() for _ in expected] == expected


def test_backoff_reset_starts_over() -> None:
    backoff = Backoff(initial_s=0.5, max_s=30.0)
    for _ in range(5):
        backoff.next()
    backoff.reset()
    assert backoff.next() == 0.5


@given(st.floats(0.0, 1.0), st.integers(0, 2**32 - 1))
def test_jitter_only_shortens_and_never_below_its_fraction(jitter: float, seed: int) -> None:
    plain = Backoff(initial_s=0.5, max_s=30.0)
    jittered = Backoff(initial_s=0.5, max_s=30.0, jitter=jitter, rng=random.Random(seed))
    for _ in range(10):
        base, got = plain.next(), jittered.next()
        assert base * (1 - jitter) - 1e-9 <= got <= base + 1e-9


@pytest.mark.parametrize(
    ("video_fps", "target_fps", "seconds", "expected"),
    [
        pytest.param(25, 5, 10, 50, id="25-to-5"),
        pytest.param(30, 4, 10, 40, id="30-to-4-uneven"),
        pytest.param(29.97, 5, 10, 50, id="ntsc"),
        pytest.param(10, 25, 10, 100, id="target-above-source-takes-all"),
    ],
)
def test_sampler_takes_target_fps_from_a_file(
    video_fps: float, target_fps: float, seconds: int, expected: int
) -> None:
    sampler = FrameSampler(target_fps)
    frames = round(video_fps * seconds)
    taken = sum(sampler.take(i / video_fps) for i in range(frames))
    assert abs(taken - expected) <= 1


@given(st.lists(st.floats(0.001, 0.5), min_size=10, max_size=200), st.floats(1.0, 30.0))
def test_sampler_holds_the_rate_on_an_irregular_clock(gaps: list[float], fps: float) -> None:
    """Never more than one frame per tick; never fewer when frames come at least once per tick."""
    sampler = FrameSampler(fps)
    times = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    taken = [t for t in times if sampler.take(t)]
    duration = times[-1] - times[0]
    assert len(taken) <= duration * fps + 2
    if max(gaps[1:]) <= sampler.period:
        assert len(taken) >= duration * fps - 1


def test_sampler_skips_missed_ticks_instead_of_bursting() -> None:
    sampler = FrameSampler(5)
    assert sampler.take(0.0)
    assert sampler.take(3.0)  # a 3 s stall: one frame, not fifteen
    assert not sampler.take(3.05)
    assert sampler.take(3.2)
