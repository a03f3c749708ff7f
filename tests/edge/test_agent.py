"""The whole agent on a file camera against the real broker: one clutter alert, heartbeats, /metrics."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
import time
import urllib.request
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.agent import EdgeAgent
from edge.config import AgentConfig
from sharpeyes.contract import AlertKind, decode_alert
from sharpeyes.contract.alert import ClutterAttributes

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # kafka-python 3.0.12 imports a deprecated API
    from kafka import KafkaConsumer

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

FPS = 10


def write_corridor(path: Path, seconds: float, item_from: float) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), FPS, (320, 240))
    rng = np.random.default_rng(0)
    for i in range(int(seconds * FPS)):
        frame = np.full((240, 320, 3), (95, 110, 120), np.float32) + rng.normal(0, 2, (240, 320, 1))
        frame = np.clip(frame, 0, 255).astype(np.uint8)
        if i / FPS >= item_from:
            frame[140:190, 120:170] = (40, 60, 190)
        writer.write(frame)
    writer.release()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def consume(bootstrap: str, topic: str, at_least: int, timeout_s: float = 30) -> list[tuple[bytes, bytes]]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=2000
    )
    got: list[tuple[bytes, bytes]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(got) < at_least and time.monotonic() < deadline:
            got.extend((r.key, r.value) for r in consumer)
    finally:
        consumer.close()
    return got


def test_agent_end_to_end(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str) -> None:
    clip = tmp_path / "corridor.avi"
    # learning takes the first 6 s; the rule then wants the item static 5 s and steady 5 s more before
    # it reports (ClutterParams.static_s + steady_s), so an item from 8 s is reported near 18 s
    write_corridor(clip, seconds=22, item_from=8.0)
    port = free_port()
    config = AgentConfig.model_validate(
        {
            "agent_id": "agent-test",
            "kafka": {"bootstrap": kafka_bootstrap, "topic_prefix": topic_prefix},
            "outbox": {"path": str(tmp_path / "outbox.db")},
            "metrics_port": port,
            "heartbeat_every_s": 1.0,
            "cameras": [
                {
                    "id": "cam-corr-1",
                    "kind": "corridor",
                    "source": str(clip),
                    "detectors": ["corridor_clutter"],
                    "fps": 5,
                    "zones": [
                        {
                            "name": "fire_lane",
                            "polygon": [[20, 60], [300, 60], [300, 230], [20, 230]],
                            "dwell_s": 3,
                        }
                    ],
                }
            ],
        }
    )
    agent = EdgeAgent(config)
    stop = threading.Event()
    runner = threading.Thread(target=agent.run_until, args=(stop,), daemon=True)
    runner.start()
    time.sleep(3)
    metrics_url = f"http://127.0.0.1:{port}/metrics"
    runner.join(60)
    assert not runner.is_alive(), "the agent should stop by itself when its file source ended"

    alerts = consume(kafka_bootstrap, f"{topic_prefix}.alerts.raw", at_least=1)
    assert len(alerts) == 1
    key, value = alerts[0]
    alert = decode_alert(value)
    assert key == b"cam-corr-1" and alert.kind is AlertKind.CORRIDOR_CLUTTER and alert.zone == "fire_lane"
    assert alert.evidence is not None and alert.evidence.snapshot_jpeg is not None
    jpeg = base64.b64decode(alert.evidence.snapshot_jpeg)
    assert hashlib.sha256(jpeg).hexdigest() == alert.evidence.sha256
    assert alert.agent.id == "agent-test"
    assert isinstance(alert.attributes, ClutterAttributes)
    waited = (alert.ts - alert.attributes.since).total_seconds()  # wall clock: the agent plays in real time
    assert 3.0 <= alert.attributes.dwell_s and 3.0 <= waited <= 14.0, (alert.attributes, alert.ts)

    beats = consume(kafka_bootstrap, f"{topic_prefix}.edge.health", at_least=2)
    docs = [json.loads(v) for _, v in beats]
    assert all(d["schema"] == "sharpeyes.edge.health/1" and d["camera_id"] == "cam-corr-1" for d in docs)
    assert any(d["online"] and d["fps_out"] > 0 for d in docs)
    assert metrics_url  # the server was up while the agent ran (checked in test_metrics_endpoint)


def test_metrics_endpoint(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str) -> None:
    clip = tmp_path / "still.avi"
    write_corridor(clip, seconds=4, item_from=99)
    port = free_port()
    config = AgentConfig.model_validate(
        {
            "agent_id": "agent-metrics",
            "kafka": {"bootstrap": kafka_bootstrap, "topic_prefix": topic_prefix},
            "outbox": {"path": str(tmp_path / "outbox.db")},
            "metrics_port": port,
            "heartbeat_every_s": 0.5,
            "cameras": [
                {
                    "id": "cam-m",
                    "kind": "corridor",
                    "source": str(clip),
                    "detectors": ["corridor_clutter"],
                    "fps": 5,
                    "zones": [{"name": "z", "polygon": [[0, 0], [320, 0], [320, 240], [0, 240]]}],
                }
            ],
        }
    )
    agent = EdgeAgent(config)
    agent.start()
    try:
        time.sleep(2.0)
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    finally:
        agent.stop()
    assert 'sharpeyes_edge_camera_online{camera="cam-m"} 1.0' in body
    assert "sharpeyes_edge_outbox_depth 0.0" in body
    assert 'sharpeyes_edge_fps_out{camera="cam-m"}' in body
