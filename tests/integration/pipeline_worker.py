"""Run ``sharpeyes pipeline run`` as a real subprocess worker, and read what it produced."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from kafka import KafkaConsumer, KafkaProducer

from sharpeyes.contract import CaseEvent, DeadLetter, decode_case_event, decode_dead_letter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


class Worker:
    """One worker process; ``kill()`` is SIGKILL (no clean shutdown, no final commit)."""

    def __init__(self, config: Path, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sharpeyes.cli",
                "pipeline",
                "run",
                "--config",
                str(config),
                "--port",
                str(self.port),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as resp:
                    if json.loads(resp.read()).get("ready"):
                        return
            except OSError:
                pass  # not listening yet, or 503 while assigning/recovering
            time.sleep(0.3)
        raise TimeoutError(f"worker not ready after {timeout} s:\n{self.log_tail()}")

    def health(self) -> dict:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as resp:
                return dict(json.loads(resp.read()))
        except OSError:
            return {"ready": False}

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=10) as resp:
            return resp.read().decode()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


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


def read_all(
    bootstrap: str,
    topic: str,
    *,
    until: int = 0,
    quiet_s: float = 5.0,
    timeout_s: float = 120.0,
    count_if: str | None = None,
) -> list[bytes]:
    """Read ``topic`` from the start until at least ``until`` messages (matching ``count_if`` if given)
    have arrived and nothing new came for ``quiet_s``; bounded by ``timeout_s``."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=500,
    )
    values: list[bytes] = []
    # distinct: a replay after a crash or rebalance re-sends identical bytes, which must not count twice
    matched: set[bytes] = set()
    deadline = time.monotonic() + timeout_s
    last_new = time.monotonic()
    try:
        while time.monotonic() < deadline:
            got = False
            for record in consumer:
                values.append(record.value)
                if count_if is None or count_if.encode() in record.value:
                    matched.add(record.value)
                got = True
            now = time.monotonic()
            if got:
                last_new = now
            elif len(matched) >= until and now - last_new >= quiet_s:
                break
    finally:
        consumer.close()
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
