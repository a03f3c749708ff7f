"""Shared fixtures. Kafka tests use the one broker that ``scripts/kafka-local.sh`` runs.

With ``CI=true`` a broker that cannot start fails the run; elsewhere Kafka tests are skipped with the
reason. A broker that was already running is left running; one this session started is stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_BROKER_LINES: list[str] = []

REPO = Path(__file__).resolve().parent.parent
KAFKA_SCRIPT = REPO / "scripts" / "kafka-local.sh"
KAFKA_PORT = int(os.environ.get("KAFKA_PORT", "19092"))


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KAFKA_SCRIPT), *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a running Apache Kafka (KRaft) broker."""
    started_here = False
    status = _run("status", timeout=30)
    if status.returncode != 0:
        result = _run("start", timeout=600)
        if result.returncode != 0:
            message = f"local Kafka did not start:\n{result.stdout}\n{result.stderr}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        started_here = True
        _BROKER_LINES.append(result.stdout.strip().splitlines()[-1])
    else:
        _BROKER_LINES.append(status.stdout.strip())
    yield f"127.0.0.1:{KAFKA_PORT}"
    if started_here and os.environ.get("SHARPEYES_KEEP_KAFKA") != "1":
        _run("stop", timeout=60)


@pytest.fixture
def topic_prefix() -> str:
    """A fresh topic prefix per test, so tests sharing the broker never read each other's messages."""
    return f"t{uuid.uuid4().hex[:10]}.sharpeyes"


@pytest.fixture(scope="session")
def demo_district() -> Path:
    return REPO / "configs" / "district-demo"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Put the broker the Kafka tests ran against into the log (version, port)."""
    for line in _BROKER_LINES:
        terminalreporter.write_line(f"kafka broker: {line}")
