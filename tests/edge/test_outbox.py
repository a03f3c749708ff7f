"""Outbox: durable before send, deleted only after an ack, bounded on disk, evicting low severity first."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.outbox import Eviction, KafkaForwarder, Outbox, OutboxRecord
from sharpeyes.contract import Alert, AlertKind, Severity
from sharpeyes.contract.alert import AgentInfo


def make_alert(n: int, severity: Severity = Severity.MEDIUM, camera: str = "cam-1") -> Alert:
    return Alert(
        alert_id=f"{camera}-a{n:05d}",
        source_id=camera,
        kind=AlertKind.EBIKE_INDOOR,
        ts=datetime(2026, 1, 1, tzinfo=UTC),
        confidence=0.9,
        severity=severity,
        agent=AgentInfo(id="agent-1", version="0.1.0"),
    )


class Recorder:
    def __init__(self) -> None:
        self.evictions: list[Eviction] = []

    def evicted(self, eviction: Eviction) -> None:
        self.evictions.append(eviction)


def test_put_is_durable_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    box = Outbox(path, max_bytes=1_000_000)
    for n in range(5):
        assert box.put(make_alert(n), "sharpeyes.alerts.raw")
    box.close()
    reopened = Outbox(path, max_bytes=1_000_000)
    records = reopened.peek(10)
    assert [r.alert_id for r in records] == [f"cam-1-a{n:05d}" for n in range(5)]
    assert reopened.bytes == sum(len(r.payload) for r in records)


def _put_then_die(path: str) -> None:
    box = Outbox(Path(path), max_bytes=1_000_000)
    box.put(make_alert(1), "t")
    # no close, no flush: the process ends as if killed right after put() returned


def test_put_survives_a_process_that_dies_without_closing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    proc = multiprocessing.get_context("spawn").Process(target=_put_then_die, args=(str(path),))
    proc.start()
    proc.join(30)
    assert proc.exitcode == 0
    assert [r.alert_id for r in Outbox(path, max_bytes=1_000_000).peek(5)] == ["cam-1-a00001"]


def test_same_alert_id_is_stored_once(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_bytes=1_000_000)
    assert box.put(make_alert(1), "t")
    assert not box.put(make_alert(1), "t")
    assert box.depth() == 1


def test_ack_deletes_only_the_given_records(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_bytes=1_000_000)
    for n in range(4):
        box.put(make_alert(n), "t")
    first_two = [r.seq for r in box.peek(2)]
    box.ack(first_two)
    assert [r.alert_id for r in box.peek(10)] == ["cam-1-a00002", "cam-1-a00003"]


PAYLOAD = 100


def put_sized(box: Outbox, n: int, severity: Severity) -> None:
    """Equal-sized payloads, so the bound is exactly a number of alerts."""
    box.put_raw(f"cam-1-a{n:05d}", "t", "cam-1", severity.rank, b"x" * PAYLOAD)


def test_full_outbox_evicts_oldest_low_severity_first(tmp_path: Path) -> None:
    recorder = Recorder()
    box = Outbox(tmp_path / "o.db", max_bytes=PAYLOAD * 4, observer=recorder)
    put_sized(box, 0, Severity.HIGH)
    put_sized(box, 1, Severity.LOW)
    put_sized(box, 2, Severity.MEDIUM)
    put_sized(box, 3, Severity.LOW)
    put_sized(box, 4, Severity.CRITICAL)  # over the bound by one alert
    put_sized(box, 5, Severity.CRITICAL)  # and again
    assert [e.alert_id for e in recorder.evictions] == ["cam-1-a00001", "cam-1-a00003"]
    assert [r.alert_id for r in box.peek(10)] == [
        "cam-1-a00000",
        "cam-1-a00002",
        "cam-1-a00004",
        "cam-1-a00005",
    ]
    assert box.bytes <= box.max_bytes


@settings(max_examples=40, deadline=None)
@given(severities=st.lists(st.sampled_from(list(Severity)), min_size=1, max_size=30), cap=st.integers(1, 8))
def test_bytes_stay_bounded_and_survivors_outrank_the_evicted(
    tmp_path_factory: pytest.TempPathFactory, severities: list[Severity], cap: int
) -> None:
    recorder = Recorder()
    box = Outbox(tmp_path_factory.mktemp("o") / "o.db", max_bytes=PAYLOAD * cap, observer=recorder)
    for n, severity in enumerate(severities):
        put_sized(box, n, severity)
    assert box.bytes <= box.max_bytes
    assert box.depth() == min(len(severities), cap)
    assert len(recorder.evictions) == max(0, len(severities) - cap)
    survivors = {r.alert_id for r in box.peek(100)}
    # an evicted alert never outranks a survivor that was already there when it was evicted
    for eviction in recorder.evictions:
        evicted_n = int(eviction.alert_id.rsplit("a", 1)[1])
        older_survivors = [n for n in range(evicted_n) if f"cam-1-a{n:05d}" in survivors]
        assert all(severities[n].rank >= eviction.severity_rank for n in older_survivors)


class FakeFuture:
    def __init__(self, ok: bool) -> None:
        self.is_done = True
        self.exception = None if ok else RuntimeError("broker said no")

    def failed(self) -> bool:
        return self.exception is not None


class ScriptedProducer:
    """Acks the first ``ok`` sends of a batch, fails the rest: what a broker outage mid-batch looks like."""

    def __init__(self, ok: int) -> None:
        self.ok = ok
        self.sent: list[bytes] = []
        self.closed = False

    def send(self, topic: str, value: bytes, key: bytes) -> Any:
        self.sent.append(value)
        return FakeFuture(len(self.sent) <= self.ok)

    def flush(self, timeout: float | None = None) -> None:
        return None

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_forwarder_deletes_only_the_acked_prefix(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_bytes=1_000_000)
    for n in range(5):
        box.put(make_alert(n), "t")
    producer = ScriptedProducer(ok=2)
    forwarder = KafkaForwarder(box, lambda: producer)
    result = forwarder.forward_once()
    assert (result.sent, result.failed) == (2, True)
    assert producer.closed, "a failed batch drops the producer so the next try starts clean"
    remaining: list[OutboxRecord] = box.peek(10)
    assert [r.alert_id for r in remaining] == ["cam-1-a00002", "cam-1-a00003", "cam-1-a00004"]


def test_forwarder_keeps_everything_while_no_broker_answers(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "o.db", max_bytes=1_000_000)
    box.put(make_alert(0), "t")

    def no_broker() -> ScriptedProducer:
        raise ConnectionError("NoBrokersAvailable")

    result = KafkaForwarder(box, no_broker).forward_once()
    assert result.failed
    assert box.depth() == 1
