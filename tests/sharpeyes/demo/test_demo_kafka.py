"""``sharpeyes demo --kafka``: the same demo through the real broker and a Faust worker."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sharpeyes.demo.distributed import parse_worker_metrics

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
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            cases: list = []
            logged_in = False
            while time.monotonic() - started < 90 and not cases and proc.poll() is None:
                time.sleep(1.0)
                try:
                    if not logged_in:
                        body = json.dumps({"username": "demo", "password": "correct horse"}).encode()
                        req = urllib.request.Request(
                            f"http://127.0.0.1:{port}/api/login",
                            data=body,
                            headers={"Content-Type": "application/json"},
                        )
                        logged_in = opener.open(req, timeout=5).status == 200
                    with opener.open(f"http://127.0.0.1:{port}/api/cases", timeout=5) as resp:
                        cases = json.loads(resp.read())["cases"]
                except OSError:
                    continue  # not listening yet
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
