"""Issue 8's first acceptance item: from `sharpeyes demo`, the console shows cases within 60 s."""

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

from tests.console_client import wait_for_cases

REPO = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_console_shows_cases_within_60_s_and_the_summary_adds_up(tmp_path: Path) -> None:
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
                "--duration",
                "75",
                "--speed",
                "2",
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
            cases = wait_for_cases(port, "demo", "correct horse", started, within_s=60, proc=proc)
            elapsed = time.monotonic() - started
            assert cases, f"no case on the console after {elapsed:.0f} s:\n{log_path.read_text()[-3000:]}"
            out, _ = proc.communicate(timeout=150)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                proc.wait(timeout=30)
    summary = json.loads(out)
    assert summary["cases_opened"] >= 3
    assert summary["webhooks_delivered"] == summary["case_system_accepted"] > 0
    assert summary["case_system_refused"] == 0
    assert "high_altitude_throw" in summary["cases_by_kind"]
    assert {"ebike_charging", "smoke"} <= set(summary["cases_by_kind"])
    assert len(summary["cases_per_grid"]) >= 2
