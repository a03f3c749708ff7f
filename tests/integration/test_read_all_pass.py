"""``read_all``'s passes: one hung in the library is given up, not waited on for ever."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.integration.pipeline_worker import _one_pass


class Records:
    """Stands in for a consumer's iterator: yields ``values``, then hangs until ``release`` is set."""

    def __init__(self, values: list[bytes], hang: bool) -> None:
        self.values, self.hang, self.release = values, hang, threading.Event()

    def __iter__(self) -> Iterator[SimpleNamespace]:
        for v in self.values:
            yield SimpleNamespace(value=v)
        if self.hang:
            self.release.wait(30.0)


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
