"""Store-and-forward against a real broker: it goes down mid-run, the agent is killed and restarted too.

A *private* broker (own ports, own data dir, via ``scripts/kafka-local.sh``) is stopped and started here,
never the shared one on 19092. The agents are separate processes running the real ``Outbox`` and
``KafkaForwarder``; the first is SIGKILLed during the outage with alerts still on disk.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import pytest

with warnings.catch_warnings():
    # kafka-python 3.0.12 calls importlib.resources.read_text (deprecated) while importing its protocol
    warnings.simplefilter("ignore", DeprecationWarning)
    from kafka import KafkaConsumer
    from kafka.admin import KafkaAdminClient, NewTopic

from edge.outbox import KafkaForwarder, Outbox, kafka_producer
from sharpeyes.contract import Alert, AlertKind, Severity, decode_alert
from sharpeyes.contract.alert import AgentInfo

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(os.environ.get("SHARPEYES_KAFKA_SCRIPT", REPO / "scripts" / "kafka-local.sh"))
CAMERAS = ("cam-a", "cam-b", "cam-c")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PrivateBroker:
    port: int
    env: dict[str, str]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def run(self, command: str) -> None:
        result = subprocess.run(
            ["bash", str(SCRIPT), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0 or "ready" in result.stdout or "stopped" in result.stdout, (
            f"kafka-local.sh {command} failed:\n{result.stdout}\n{result.stderr}"
        )


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    if not SCRIPT.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SCRIPT} is missing")
        pytest.skip(f"{SCRIPT} is missing")
    port, controller = _free_port(), _free_port()
    env = dict(
        os.environ,
        KAFKA_PORT=str(port),
        KAFKA_CONTROLLER_PORT=str(controller),
        KAFKA_DATA_DIR=str(tmp_path / "kafka"),
        KAFKA_HEAP_OPTS="-Xmx256m -Xms128m",
    )
    broker = PrivateBroker(port, env)
    broker.run("start")
    try:
        yield broker
    finally:
        broker.run("stop")


def make_alert(camera: str, n: int) -> Alert:
    return Alert(
        alert_id=f"{camera}-{n:05d}",
        source_id=camera,
        kind=AlertKind.CORRIDOR_CLUTTER,
        ts=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        confidence=0.8,
        severity=Severity.MEDIUM,
        attributes={"since": "2026-01-01T00:00:00Z", "dwell_s": 120.0},
        agent=AgentInfo(id="test-agent", version="0.1.0"),
    )


def agent_process(
    outbox_path: str,
    bootstrap: str,
    topic: str,
    first: int,
    count: int,
    puts_done: EventType,
    drain_and_exit: bool,
) -> None:
    """An edge agent's store-and-forward shell: alerts keep coming while the forwarder drains the disk."""
    box = Outbox(Path(outbox_path), max_bytes=50_000_000)
    forwarder = KafkaForwarder(
        box, lambda: kafka_producer(bootstrap, "test-agent", request_timeout_ms=3000), backoff_s=(0.2, 1.0)
    )
    forwarder.start()
    for n in range(first, first + count):
        for camera in CAMERAS:
            box.put(make_alert(camera, n), topic)
        time.sleep(0.05)
    puts_done.set()
    deadline = time.monotonic() + 120
    while drain_and_exit and box.depth() > 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    forwarder.stop()
    if drain_and_exit and box.depth() > 0:
        raise SystemExit(f"outbox still holds {box.depth()} alerts")


def consume_all(
    bootstrap: str, topic: str, expected: int, timeout_s: float = 60
) -> list[tuple[str, int, int]]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=3000,
    )
    got: list[tuple[str, int, int]] = []  # (alert_id, partition, offset)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            for record in consumer:
                alert = decode_alert(record.value)
                assert record.key == alert.source_id.encode()
                got.append((alert.alert_id, record.partition, record.offset))
            if len({g[0] for g in got}) >= expected:
                break
    finally:
        consumer.close()
    return got


def test_every_alert_arrives_once_in_order_across_broker_outage_and_agent_restart(
    private_broker: PrivateBroker, tmp_path: Path, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}.alerts.raw"
    admin = KafkaAdminClient(bootstrap_servers=private_broker.bootstrap)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    outbox = str(tmp_path / "outbox.db")
    ctx = multiprocessing.get_context("spawn")

    # agent 1: 60 rounds x 3 cameras over ~3 s; the broker goes down a second in
    done1 = ctx.Event()
    agent1 = ctx.Process(
        target=agent_process, args=(outbox, private_broker.bootstrap, topic, 0, 60, done1, False)
    )
    agent1.start()
    time.sleep(1.0)
    private_broker.run("stop")
    assert done1.wait(60), "agent 1 never finished accepting its alerts"
    time.sleep(0.5)
    agent1.kill()  # SIGKILL while the broker is down: what is not sent yet is only on disk
    agent1.join(10)
    left_on_disk = Outbox(Path(outbox), max_bytes=50_000_000).depth()
    assert left_on_disk > 0, "the outage should have left alerts in the outbox"

    # agent 2 restarts on the same outbox and keeps raising alerts; the broker comes back meanwhile
    done2 = ctx.Event()
    agent2 = ctx.Process(
        target=agent_process, args=(outbox, private_broker.bootstrap, topic, 60, 40, done2, True)
    )
    agent2.start()
    time.sleep(1.0)
    private_broker.run("start")
    agent2.join(150)
    assert agent2.exitcode == 0, "agent 2 did not drain its outbox after the broker returned"

    expected = {make_alert(c, n).alert_id for c in CAMERAS for n in range(100)}
    got = consume_all(private_broker.bootstrap, topic, len(expected))
    ids = [g[0] for g in got]
    assert set(ids) == expected, f"missing: {sorted(expected - set(ids))[:10]}"
    duplicates = len(ids) - len(set(ids))
    # at-least-once: a batch acked by the broker as it went down may be sent again (same alert_id)
    assert duplicates <= 200, duplicates
    per_camera: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for alert_id, _partition, _offset in sorted(got, key=lambda g: (g[1], g[2])):
        if alert_id in seen:
            continue
        seen.add(alert_id)
        camera, n = alert_id.rsplit("-", 1)
        per_camera[camera].append(int(n))
    for camera in CAMERAS:
        assert per_camera[camera] == sorted(per_camera[camera]), f"{camera} out of order"
    print(
        f"outage test: {len(expected)} alerts, {left_on_disk} left on disk by the killed agent, "
        f"{duplicates} duplicate deliveries"
    )
