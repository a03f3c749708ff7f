"""Pieces of the end-to-end benchmark: real worker subprocesses, a paced edge-like producer, the raw
consume → produce relay (the baseline), and consumer-group lag. Only kafka-python and subprocesses.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from pipeline.worker_process import PipelineWorkerProcess, wait_all_ready
from sharpeyes.registry import load_registry

REPO = Path(__file__).resolve().parent.parent
DISTRICT = REPO / "configs" / "district-demo"
_PY = [sys.executable]
# SHARPEYES_PROFILE_WORKER=DIR: workers run under cProfile and write DIR/<pid>-<log name>.prof on stop
_PROFILE_DIR = os.environ.get("SHARPEYES_PROFILE_WORKER")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(path: Path, *, app_id: str, bootstrap: str, prefix: str, partitions: int) -> Path:
    doc = {
        "app_id": app_id,
        "kafka": {"bootstrap": bootstrap, "topic_prefix": prefix, "partitions": partitions},
        "registry": str(DISTRICT),
        "data_dir": str(path.parent / "data"),
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


class Worker(PipelineWorkerProcess):
    """A benchmarked worker, profiled with cProfile when SHARPEYES_PROFILE_DIR is set."""

    def __init__(self, config: Path, log_path: Path) -> None:
        profile_file = f"{_PROFILE_DIR}/{os.getpid()}-{log_path.stem}.prof"
        profile = ["-m", "cProfile", "-o", profile_file] if _PROFILE_DIR else []
        super().__init__(config, log_path, python_args=profile, cwd=REPO)


def wait_ready(workers: list[Worker], timeout: float = 120.0) -> None:
    wait_all_ready(workers, timeout)


def relay_process(bootstrap: str, source: str, target: str, group: str) -> subprocess.Popen[bytes]:
    """The baseline: a kafka-python consume → produce loop with no logic, in its own process."""
    return subprocess.Popen(
        [*_PY, "-m", "benchmarks._kafka_harness", "relay", bootstrap, source, target, group],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def relay(bootstrap: str, source: str, target: str, group: str) -> None:
    consumer = KafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=True,
        auto_commit_interval_ms=1000,
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    for record in consumer:  # runs until the benchmark terminates the process
        producer.send(target, key=record.key, value=record.value)


# --- the edge-like producer ------------------------------------------------------------------------


def _alert_templates() -> list[tuple[bytes, str]]:
    """(key, JSON with {id} and {ts} holes) per camera of the demo district, kinds by camera type."""
    registry = load_registry(DISTRICT)
    out = []
    for cam_id in sorted(registry.cameras):
        cam_kind = registry.cameras[cam_id].kind.value
        doc: dict[str, object] = {
            "schema": "sharpeyes.alert/1",
            "alert_id": "@ID@",
            "source_id": cam_id,
            "ts": "@TS@",
            "confidence": 0.87,
            "severity": "medium",
            "bbox": [100.0, 120.0, 180.0, 260.0],
            "evidence": {"uri": "https://nvr.local/e/x.jpg", "sha256": "ab" * 32},
            "agent": {"id": "nvr-bench", "version": "0.3.1"},
        }
        if cam_kind == "facade":
            doc["kind"] = "high_altitude_throw"
            doc["attributes"] = {"origin_floor": 9, "trajectory": [[0.0, 600.0, 100.0], [0.2, 601.0, 180.0]]}
        elif cam_kind == "corridor":
            doc["kind"] = "corridor_clutter"
            doc["attributes"] = {"since": "2026-03-02T00:55:00.000Z", "dwell_s": 300.0}
        else:
            doc["kind"] = "ebike_indoor"
        out.append((cam_id.encode(), json.dumps(doc, separators=(",", ":"))))
    return out


def _now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def produce_paced(bootstrap: str, topic: str, rate: float, seconds: float, tag: str) -> None:
    """Send ``rate`` alerts/s for ``seconds``, each stamped with its creation time; prints a JSON summary."""
    templates = _alert_templates()
    rng = random.Random(7)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=2, batch_size=64 * 1024)
    start = time.time()
    sent = 0
    late_max = 0.0
    while True:
        elapsed = time.time() - start
        if elapsed >= seconds:
            break
        due = int(elapsed * rate) + 1
        for _ in range(due - sent):
            key, template = templates[rng.randrange(len(templates))]
            value = template.replace("@ID@", f"{tag}-{sent}").replace("@TS@", _now_rfc3339())
            producer.send(topic, key=key, value=value.encode())
            sent += 1
        late_max = max(late_max, time.time() - start - sent / rate)
        time.sleep(0.002)
    producer.flush(timeout=60)
    producer.close(timeout=10)
    print(json.dumps({"sent": sent, "seconds": time.time() - start, "producer_late_max_s": late_max}))


def producer_process(
    bootstrap: str, topic: str, rate: float, seconds: float, tag: str
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*_PY, "-m", "benchmarks._kafka_harness", "produce", bootstrap, topic, str(rate), str(seconds), tag],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )


# --- reading the results ---------------------------------------------------------------------------


def ts_of(value: bytes) -> float | None:
    """The first top-level ``"ts"`` of a case event or an alert (both write it before nested parts)."""
    i = value.find(b'"ts":"')
    if i < 0:
        return None
    text = value[i + 6 : value.index(b'"', i + 6)].decode()
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def alert_id_of(value: bytes) -> str | None:
    i = value.find(b'"alert_id":"')
    if i < 0:
        return None
    return value[i + 12 : value.index(b'"', i + 12)].decode()


def latest_consumer(bootstrap: str, topic: str) -> KafkaConsumer:
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, consumer_timeout_ms=200
    )
    tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []]
    consumer.assign(tps)
    consumer.seek_to_end(*tps)
    for tp in tps:
        consumer.position(tp)
    return consumer


@dataclass
class Lag:
    admin: KafkaAdminClient
    probe: KafkaConsumer

    @classmethod
    def open(cls, bootstrap: str) -> Lag:
        return cls(
            KafkaAdminClient(bootstrap_servers=bootstrap),
            KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False),
        )

    def of(self, group: str, topics: list[str]) -> int:
        """Messages of ``topics`` not yet committed by ``group`` (0 before its first commit; -1 when the
        broker did not answer in time: a saturated box must not end the benchmark)."""
        try:
            return self._of(group, topics)
        except Exception:  # noqa: BLE001 - any client error: this sample is unknown, the next may work
            return -1

    def _of(self, group: str, topics: list[str]) -> int:
        committed = self.admin.list_group_offsets({group: None}).get(group, {})
        mine = {tp: om.offset for tp, om in committed.items() if tp.topic in topics and om.offset >= 0}
        if not mine:
            return 0
        ends = self.probe.end_offsets(list(mine))
        return sum(max(0, ends[tp] - off) for tp, off in mine.items())

    def close(self) -> None:
        self.admin.close()
        self.probe.close()


if __name__ == "__main__":  # the producer and the relay run as their own processes, like real clients
    if sys.argv[1] == "relay":
        relay(*sys.argv[2:6])
    elif sys.argv[1] == "produce":
        produce_paced(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
