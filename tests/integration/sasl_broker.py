"""The SASL_SSL broker of ``KAFKA_SECURITY=sasl_ssl scripts/kafka-local.sh`` (port 19094, own data dir),
and kafka-python clients configured exactly as the edge producer is: through ``KafkaSecurity``."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from sharpeyes.kafka_security import KafkaSecurity

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "kafka-local.sh"
DATA_DIR = REPO / ".kafka-sasl"
PORT = 19094
USERNAME = "sharpeyes"


@dataclass(frozen=True)
class SaslBroker:
    bootstrap: str
    ca_file: Path
    password_file: Path
    username: str = USERNAME

    def security(self, **overrides: object) -> KafkaSecurity:
        doc: dict[str, object] = {
            "protocol": "SASL_SSL",
            "mechanism": "SCRAM-SHA-512",
            "username": self.username,
            "password_file": str(self.password_file),
            "ca_file": str(self.ca_file),
        }
        doc.update(overrides)
        return KafkaSecurity.model_validate({k: v for k, v in doc.items() if v is not None})


def run_script(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"KAFKA_PORT", "KAFKA_CONTROLLER_PORT"}}
    env.update(KAFKA_SECURITY="sasl_ssl", KAFKA_DATA_DIR=str(DATA_DIR))
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def broker() -> SaslBroker:
    return SaslBroker(
        bootstrap=f"127.0.0.1:{PORT}",
        ca_file=DATA_DIR / "tls" / "ca.pem",
        password_file=DATA_DIR / "secrets" / f"{USERNAME}.password",
    )


def produce(broker: SaslBroker, security: KafkaSecurity, messages: Iterable[tuple[str, bytes, bytes]]) -> int:
    producer = KafkaProducer(
        bootstrap_servers=broker.bootstrap, acks="all", linger_ms=5, **security.kafka_python_kwargs()
    )
    n = 0
    try:
        for topic, key, value in messages:
            producer.send(topic, key=key, value=value)
            n += 1
        producer.flush(timeout=60)
    finally:
        producer.close(timeout=10)
    return n


def read_until(
    broker: SaslBroker, security: KafkaSecurity, topic: str, done: object, timeout_s: float = 90.0
) -> list[bytes]:
    """Read ``topic`` from the start until ``done(values)`` is true or ``timeout_s`` passes."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=500,
        **security.kafka_python_kwargs(),
    )
    values: list[bytes] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            values.extend(record.value for record in consumer)
            if done(values):  # type: ignore[operator]
                break
    finally:
        consumer.close()
    return values
