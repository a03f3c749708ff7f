"""`sharpeyes run --embedded --config site.yaml`: a one-box site from its own config files."""

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
import yaml
from click.testing import CliRunner

from edge.synth.clip_files import write_clip
from edge.synth.facade import SceneOptions, build_scene
from pipeline.console.passwords import hash_password
from sharpeyes.cli import main
from tests.console_client import wait_for_cases

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site(tmp_path: Path, port: int) -> Path:
    files = write_clip(
        build_scene(5, SceneOptions(width=640, height=360, fps=25.0, duration_s=20.0)), tmp_path
    )
    camera = yaml.safe_load(files.camera.read_text(encoding="utf-8"))
    camera.update({"id": "cam-b-001-facade", "building": "B-001", "source": str(files.video)})
    (tmp_path / "agent.yaml").write_text(
        yaml.safe_dump(
            {
                "agent_id": "nvr-test",
                "kafka": {"bootstrap": "in-process"},
                "outbox": {"path": "outbox.sqlite"},
                "metrics_port": 0,
                "cameras": [camera],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "accounts.yaml").write_text(
        yaml.safe_dump(
            {
                "accounts": [
                    {
                        "username": "duty",
                        "role": "operator",
                        "password_hash": hash_password("s3cret-pass", n=2**12),
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    site = tmp_path / "site.yaml"
    site.write_text(
        yaml.safe_dump(
            {
                "registry": str(REPO / "configs" / "district-demo"),
                "state_db": "site.sqlite",
                "agent": "agent.yaml",
                "console": {"port": port, "accounts": "accounts.yaml"},
            }
        ),
        encoding="utf-8",
    )
    return site


@pytest.mark.slow
def test_a_site_runs_from_its_files_and_shows_cases(tmp_path: Path) -> None:
    port = _free_port()
    site = _site(tmp_path, port)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sharpeyes.cli", "run", "--embedded", "--config", str(site)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "run.log").open("wb"),
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        cases = wait_for_cases(port, "duty", "s3cret-pass", started, within_s=60, proc=proc)
        assert cases, (tmp_path / "run.log").read_text()[-3000:]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    summary = json.loads(out)
    assert summary["cases_by_kind"].get("high_altitude_throw", 0) >= 1
    assert summary["db"].endswith("site.sqlite")


def test_a_typo_in_the_site_file_is_named(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "registry: x\nstate_db: s.sqlite\nagent: a.yaml\nconsole: {accounts: a.yaml, prot: 1}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["run", "--embedded", "--config", str(site)])
    assert result.exit_code != 0
    assert "site.yaml" in result.output and "console.prot" in result.output
