"""``read_all``'s passes: one hung in the library is given up, not waited on for ever, and one cut short
loses nothing read before."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.integration import pipeline_worker
from tests.integration.pipeline_worker import _one_pass, read_all


class Records:
    """Stands in for a consumer's iterator: yields ``values``, then hangs until ``release`` is set."""

    def __init__(self, values: list[bytes], hang: bool) -> None:
        self.values, self.hang, self.release = values, hang, threading.Event()

    def __iter__(self) -> Iterator[SimpleNamespace]:
        for v in self.values:
            yield SimpleNamespace(value=v)
        if self.hang:
            self.release.wait(30.0)

    def close(self) -> None:
        self.release.set()


def test_a_pass_that_ends_gives_what_it_read() -> None:
    assert _one_pass(Records([b"a", b"b"], hang=False), 5.0) == [b"a", b"b"]


def test_a_pass_hung_in_the_library_is_given_up_after_its_limit() -> None:
    records = Records([b"a"], hang=True)
    t0 = time.monotonic()
    assert _one_pass(records, 0.3) is None
    assert time.monotonic() - t0 < 5.0
    records.release.set()


def test_a_pass_that_fails_raises_in_the_caller() -> None:
    class Broken:
        def __iter__(self) -> Iterator[SimpleNamespace]:
            raise RuntimeError("broker gone")

    with pytest.raises(RuntimeError, match="broker gone"):
        _one_pass(Broken(), 5.0)


def test_read_all_reads_again_past_a_hung_pass_and_keeps_the_longest_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each pass is a new consumer reading from the start: one connected late, one hung, one whole, one
    # cut short again, then whole ones until nothing new came for quiet_s
    whole = [b"a", b"b", b"c"]
    passes = iter(
        [Records([b"a"], hang=False), Records([b"a", b"b"], hang=True), Records(whole, hang=False)]
        + [Records([b"a"], hang=False)]
        + [Records(whole, hang=False) for _ in range(20)]
    )
    handed: list[Records] = []

    def consumer(bootstrap: str, topic: str) -> Records:
        handed.append(next(passes))
        return handed[-1]

    monkeypatch.setattr(pipeline_worker, "_consumer", consumer)
    monkeypatch.setattr(pipeline_worker, "PASS_LIMIT_S", 0.3)
    assert read_all("unused:1", "t", until=3, quiet_s=1.0, timeout_s=20.0) == whole
    assert 5 <= len(handed) < 24  # it read past the short and the hung pass, and stopped once quiet
    for r in handed:
        r.release.set()
