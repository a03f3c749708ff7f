"""The wire contract over the real broker: what an edge agent produces, a processor reads back equal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer

from sharpeyes.contract import AgentInfo, Alert, AlertKind, Severity, ThrowAttributes, decode_alert

pytestmark = pytest.mark.kafka


def test_alert_round_trip_through_kafka(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}.alerts.raw"
    alert = Alert(
        alert_id="nvr-07:cam-b-001-facade:throw-1",
        source_id="cam-b-001-facade",
        kind=AlertKind.HIGH_ALTITUDE_THROW,
        ts=datetime(2026, 11, 21, 8, 30, 0, 125000, tzinfo=UTC),
        confidence=0.93,
        severity=Severity.HIGH,
        attributes=ThrowAttributes(origin_floor=7, trajectory=[[0.0, 606, 125], [0.04, 606, 131]]),
        agent=AgentInfo(id="nvr-07", version="0.1.0"),
    )
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all", linger_ms=0)
    try:
        meta = producer.send(topic, key=alert.source_id.encode(), value=alert.to_bytes()).get(timeout=30)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)
    assert meta.topic == topic

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=20_000,
        group_id=None,
    )
    try:
        records = []
        for record in consumer:
            records.append(record)
            break
        broker_version = consumer.config.get("api_version")
    finally:
        consumer.close()
    assert len(records) == 1, "the alert did not come back within 20 s"
    assert records[0].key == b"cam-b-001-facade"
    back = decode_alert(records[0].value)
    assert back == alert
    assert json.loads(records[0].value)["ts"] == "2026-11-21T08:30:00.125Z"
    print(f"kafka-python negotiated api_version {broker_version}")
