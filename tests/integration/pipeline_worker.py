"""Run ``sharpeyes pipeline run`` as a real subprocess worker, and read what it produced."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from kafka import KafkaConsumer, KafkaProducer

from pipeline.worker_process import PipelineWorkerProcess
from sharpeyes.contract import CaseEvent, DeadLetter, decode_case_event, decode_dead_letter
from tests.integration.scenario import Scenario


def write_config(
    path: Path,
    *,
    app_id: str,
    bootstrap: str,
    prefix: str,
    partitions: int,
    registry: Path,
    extra: dict | None = None,
) -> Path:
    doc = {
        "app_id": app_id,
        "kafka": {"bootstrap": bootstrap, "topic_prefix": prefix, "partitions": partitions},
        "registry": str(registry),
        "data_dir": str(path.parent / "data"),
        "sla_tick_s": 1.0,
        **(extra or {}),
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


# the same worker launcher the demo and the benchmarks use
Worker = PipelineWorkerProcess


def produce(bootstrap: str, messages: Iterable[tuple[str, bytes | None, bytes]]) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    n = 0
    try:
        for topic, key, value in messages:
            producer.send(topic, key=key, value=value)
            n += 1
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)
    return n


# kafka-python 3.0.12 can block forever inside a fetch (dpkp/kafka-python#3121; fixed upstream by #3123,
# not in a release yet) or keep returning empty polls after a batch (dpkp/kafka-python#3106): every pass
# reads the topic from the start with a new consumer, so no state of a stalled one carries over, and a pass
# not ended in this long is given up (the topics read here hold hundreds of records, read in about a second)
PASS_LIMIT_S = 20.0


def _consumer(bootstrap: str, topic: str) -> KafkaConsumer:
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=500,
    )


def _one_pass(consumer: Iterable[Any], limit_s: float) -> list[bytes] | None:
    """What one pass of ``consumer`` (until 500 ms bring nothing) read, run in a daemon thread so that a
    fetch hung in the library cannot hang the test: None if the pass has not ended in ``limit_s``."""
    got: list[bytes] = []
    failed: list[Exception] = []
    done = threading.Event()

    def run() -> None:
        try:
            for record in consumer:
                got.append(record.value)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failed.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="read-all-pass", daemon=True).start()
    if not done.wait(limit_s):
        return None
    if failed:
        raise failed[0]
    return got


def read_all(
    bootstrap: str,
    topic: str,
    *,
    until: int = 0,
    quiet_s: float = 5.0,
    timeout_s: float = 120.0,
    count_if: str | None = None,
    complete: Callable[[list[bytes]], bool] | None = None,
) -> list[bytes]:
    """Read ``topic`` from the start until at least ``until`` messages (matching ``count_if`` if given)
    have arrived, ``complete`` (if given) holds for what was read, and nothing new came for ``quiet_s``;
    bounded by ``timeout_s``. Each pass reads the topic from the start with a new consumer; one hung in the
    library is left behind."""
    values: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    last_new = time.monotonic()
    while time.monotonic() < deadline:
        consumer = _consumer(bootstrap, topic)
        read = _one_pass(consumer, min(PASS_LIMIT_S, max(5.0, deadline - time.monotonic())))
        if read is None:  # hung: its thread is a daemon, left to the library with its consumer
            continue
        consumer.close()
        now = time.monotonic()
        # the topics are only appended to, so a longer read from the start holds every shorter one; a shorter
        # one is a pass cut short while its consumer connected
        if len(read) > len(values):
            values, last_new = read, now
        # distinct: a replay after a crash or rebalance re-sends identical bytes, which must not count twice
        matched = {v for v in values if count_if is None or count_if.encode() in v}
        if len(matched) >= until and now - last_new >= quiet_s and (complete is None or complete(values)):
            break
        time.sleep(0.5)
    return values


@dataclass
class CaseOutcome:
    """Case events folded per case (repeats of an event id counted once)."""

    events: list[CaseEvent] = field(default_factory=list)
    cases_of_alert: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    cases_of_key: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alerts_of_case: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    key_of_case: dict[str, str] = field(default_factory=dict)
    repeats: int = 0
    diagnostics: str = ""

    @classmethod
    def fold(cls, raw: list[bytes]) -> CaseOutcome:
        out = cls()
        seen: set[str] = set()
        for value in raw:
            event = decode_case_event(value)
            if event.event_id in seen:
                out.repeats += 1
                continue
            seen.add(event.event_id)
            out.events.append(event)
            out.cases_of_key[event.case.case_key].add(event.case_id)
            out.key_of_case[event.case_id] = event.case.case_key
            if event.alert_id:
                out.cases_of_alert[event.alert_id].add(event.case_id)
                out.alerts_of_case[event.case_id].add(event.alert_id)
        return out

    def grouping(self) -> dict[str, frozenset[str]]:
        """case key → alert ids (independent of which alert happened to open the case)."""
        return {self.key_of_case[c]: frozenset(a) for c, a in self.alerts_of_case.items()}


def dead_letters(raw: list[bytes]) -> list[DeadLetter]:
    return [decode_dead_letter(v) for v in raw]


def as_json(value: bytes) -> dict:
    return json.loads(value)


def wait_group_settled(workers: list[Worker], partitions: int, timeout: float = 120.0) -> None:
    """All workers ready and the inputs' partitions spread over them, the same on two looks 1 s apart
    (a worker that was ready alone is not ready once a second one joins and the group rebalances)."""
    deadline = time.monotonic() + timeout
    stable = 0
    while time.monotonic() < deadline:
        states = [w.health() for w in workers]
        ok = all(s.get("ready") for s in states) and (
            len(workers) == 1 or all(0 < s.get("assigned_partitions", 0) for s in states)
        )
        stable = stable + 1 if ok else 0
        if stable >= 2:
            return
        time.sleep(1.0)
    raise TimeoutError(f"group not settled after {timeout} s: {[w.health() for w in workers]}")


def all_decided(sc: Scenario) -> Callable[[list[bytes]], bool]:
    """Whether what was read of the cases topic is the whole of ``sc``'s outcome: every valid alert in a
    case *and* every expected case opened. Counting opened cases alone stops early: the IoT events travel
    on their own topic, and after a kill -9 the replacement can stall for longer than a quiet period
    before the last alerts join their cases."""
    n_cases = len(sc.expected) + len(sc.expected_iot_keys)

    def done(values: list[bytes]) -> bool:
        folded = CaseOutcome.fold(values)
        return sc.valid_alert_ids <= set(folded.cases_of_alert) and len(folded.cases_of_key) >= n_cases

    return done
