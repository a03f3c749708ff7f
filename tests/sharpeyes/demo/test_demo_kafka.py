"""``sharpeyes demo --kafka``: the same demo through the real broker and a Faust worker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sharpeyes.demo.distributed import parse_worker_metrics
from tests.console_client import wait_for_cases

REPO = Path(__file__).resolve().parents[3]

METRICS = """\
# HELP sharpeyes_alerts_received_total Valid alerts received, by kind
# TYPE sharpeyes_alerts_received_total counter
sharpeyes_alerts_received_total{kind="smoke"} 2.0
sharpeyes_alerts_received_total{kind="high_altitude_throw"} 5.0
# HELP sharpeyes_alert_duplicates_dropped_total Alerts dropped as exact duplicates
# TYPE sharpeyes_alert_duplicates_dropped_total counter
sharpeyes_alert_duplicates_dropped_total 3.0
# HELP sharpeyes_dead_letters_total Messages sent to the dead-letter topic, by reason
# TYPE sharpeyes_dead_letters_total counter
sharpeyes_dead_letters_total{reason="invalid"} 1.0
"""


def test_worker_metrics_are_summed_across_labels() -> None:
    counts = parse_worker_metrics(METRICS)
    assert (counts.alerts, counts.duplicates, counts.dead_letters) == (7, 3, {"invalid": 1})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.kafka
@pytest.mark.slow
def test_console_shows_cases_from_the_worker_and_the_summary_adds_up(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    port = _free_port()
    log_path = tmp_path / "demo.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sharpeyes.cli",
                "demo",
                "--kafka",
                kafka_bootstrap,
                "--duration",
                "60",
                "--speed",
                "3",
                "--port",
                str(port),
                "--out",
                str(tmp_path / "demo"),
                "--password",
                "correct horse",
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            cases = wait_for_cases(port, "demo", "correct horse", started, within_s=90, proc=proc)
            elapsed = time.monotonic() - started
            assert cases, f"no case on the console after {elapsed:.0f} s:\n{log_path.read_text()[-3000:]}"
            out, _ = proc.communicate(timeout=180)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=60)
    assert proc.returncode == 0, log_path.read_text()[-3000:]
    summary = json.loads(out)
    assert summary["kafka"]["topic_prefix"].startswith("demo-")
    assert summary["alerts"] > 0
    assert summary["cases_opened"] >= 3
    assert {"high_altitude_throw", "ebike_charging", "smoke"} <= set(summary["cases_by_kind"])
    assert summary["webhooks_delivered"] == summary["case_system_accepted"] > 0
    assert summary["case_system_refused"] == 0
    assert len(summary["cases_per_grid"]) >= 2
