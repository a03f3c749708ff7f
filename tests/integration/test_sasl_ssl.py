"""Edge → pipeline end to end over SASL_SSL (SCRAM-SHA-512, TLS against a private CA), and a wrong
password that fails fast and says so, for the kafka-python side and for a worker's start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pipeline.topics import Topics
from sharpeyes.contract import CaseEventType
from sharpeyes.kafka_probe import KafkaAuthenticationError, KafkaTlsError, probe_access
from sharpeyes.registry import load_registry
from tests.integration import sasl_broker
from tests.integration.pipeline_worker import CaseOutcome, Worker, all_decided, dead_letters
from tests.integration.sasl_broker import SaslBroker, produce, read_until
from tests.integration.scenario import build, expected_grouping

pytestmark = [pytest.mark.kafka]

WRONG = "not-the-password-0123"


@pytest.fixture(scope="module")
def sasl() -> Iterator[SaslBroker]:
    """The secured broker, started here if it is not running (stopped again unless SHARPEYES_KEEP_KAFKA)."""
    started = False
    if sasl_broker.run_script("status", timeout=30).returncode != 0:
        result = sasl_broker.run_script("start", timeout=600)
        if result.returncode != 0:
            message = f"SASL_SSL Kafka did not start:\n{result.stdout}\n{result.stderr}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        started = True
    yield sasl_broker.broker()
    if started and os.environ.get("SHARPEYES_KEEP_KAFKA") != "1":
        sasl_broker.run_script("stop", timeout=60)


def _worker_config(path: Path, sasl: SaslBroker, prefix: str, registry: Path, password_file: Path) -> Path:
    doc = {
        "app_id": f"{prefix}-app",
        "kafka": {
            "bootstrap": sasl.bootstrap,
            "topic_prefix": prefix,
            "partitions": 2,
            "security": {
                "protocol": "SASL_SSL",
                "mechanism": "SCRAM-SHA-512",
                "username": sasl.username,
                "password_file": str(password_file),
                "ca_file": str(sasl.ca_file),
            },
        },
        "registry": str(registry),
        "data_dir": str(path.parent / "data"),
        "sla_tick_s": 1.0,
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_probe_accepts_the_right_credentials(sasl: SaslBroker) -> None:
    probe_access(sasl.bootstrap, sasl.security(), timeout_s=5)


@pytest.mark.parametrize(
    ("overrides", "error", "says"),
    [
        pytest.param(
            {"password_file": None, "password": WRONG},
            KafkaAuthenticationError,
            "SASL authentication failed for user 'sharpeyes'",
            id="wrong-password",
        ),
        pytest.param(
            {"username": "intruder"},
            KafkaAuthenticationError,
            "SASL authentication failed for user 'intruder'",
            id="unknown-user",
        ),
        pytest.param(
            {"mechanism": "SCRAM-SHA-256"},
            KafkaAuthenticationError,
            "does not offer SASL mechanism SCRAM-SHA-256",
            id="mechanism-not-enabled",
        ),
        pytest.param({"ca_file": None}, KafkaTlsError, "certificate", id="untrusted-ca"),
    ],
)
def test_bad_credentials_fail_fast_with_the_cause(
    sasl: SaslBroker, overrides: dict[str, object], error: type[Exception], says: str
) -> None:
    started = time.monotonic()
    with pytest.raises(error, match=says) as info:
        probe_access(sasl.bootstrap, sasl.security(**overrides), timeout_s=5)
    assert time.monotonic() - started < 5
    assert WRONG not in str(info.value)
    assert not info.value.retriable  # type: ignore[attr-defined]


def test_tls_client_on_a_plaintext_port_is_told_it_is_not_tls(sasl: SaslBroker, kafka_bootstrap: str) -> None:
    """SASL_SSL settings pointed at the plaintext broker (the shared test broker, wherever it listens)."""
    with pytest.raises(KafkaTlsError, match="TLS"):
        probe_access(kafka_bootstrap, sasl.security(), timeout_s=5)


def test_worker_with_a_wrong_password_exits_naming_the_cause(
    sasl: SaslBroker, tmp_path: Path, topic_prefix: str, demo_district: Path
) -> None:
    bad = tmp_path / "kafka.password"
    bad.write_text(WRONG + "\n", encoding="utf-8")
    config = _worker_config(tmp_path / "pipeline.yaml", sasl, topic_prefix, demo_district, bad)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "sharpeyes.cli", "pipeline", "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SASL authentication failed for user 'sharpeyes'" in output, output
    assert WRONG not in output
    assert elapsed < 20, f"took {elapsed:.1f} s"


@pytest.mark.slow
def test_alerts_become_cases_over_sasl_ssl(
    sasl: SaslBroker, tmp_path: Path, topic_prefix: str, demo_district: Path
) -> None:
    """The edge side (kafka-python via ``KafkaSecurity.kafka_python_kwargs``) produces, a real worker
    (aiokafka via faust ``broker_credentials``) decides, and the cases are read back over SASL_SSL."""
    registry = load_registry(demo_district)
    sc = build(registry, alerts_per_camera=2)
    topics = Topics(topic_prefix)
    security = sasl.security()
    config = _worker_config(tmp_path / "pipeline.yaml", sasl, topic_prefix, demo_district, sasl.password_file)
    worker = Worker(config, tmp_path / "worker.log")
    try:
        worker.wait_ready(timeout=120)
        produce(
            sasl,
            security,
            [(topics.alerts_raw, k, v) for k, v in sc.raw_alerts]
            + [(topics.iot_events, k, v) for k, v in sc.iot],
        )

        outcome = CaseOutcome.fold(read_until(sasl, security, topics.cases, all_decided(sc)))
        dead = dead_letters(
            read_until(sasl, security, topics.deadletter, lambda v: len(v) >= sc.malformed + sc.unknown)
        )
    finally:
        worker.stop()
    grouping = outcome.grouping()
    expected = expected_grouping(sc)
    assert {k: v for k, v in grouping.items() if k in expected} == expected
    assert {tuple(k.split("|")) for k in grouping if k not in expected} == sc.expected_iot_keys
    assert all(len(cases) == 1 for cases in outcome.cases_of_alert.values())
    opened = [e for e in outcome.events if e.type is CaseEventType.OPENED]
    assert len(opened) == len(expected) + len(sc.expected_iot_keys)
    reasons = [d.reason for d in dead]
    assert (reasons.count("invalid"), reasons.count("unknown source")) == (sc.malformed, sc.unknown)
    # the worker logged how it connected, never the password
    log_text = worker.log_path.read_text(errors="replace")
    assert "SASL_SSL/SCRAM-SHA-512 user=sharpeyes" in log_text
    assert sasl.password_file.read_text().strip() not in log_text
