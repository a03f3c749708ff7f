"""``DESTDIR=… scripts/install-edge.sh``: the staged layout, a unit that ``systemd-analyze verify``
accepts (and is well sandboxed), config kept on upgrade, and rollback to the previous release."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.tools import REPO, tool

pytestmark = pytest.mark.slow

SCRIPT = REPO / "scripts" / "install-edge.sh"
UNIT = "etc/systemd/system/sharpeyes-edge.service"
HARDENING = [
    "Restart=always",
    "CPUQuota=150%",
    "MemoryMax=512M",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "StateDirectory=sharpeyes/edge",
    "User=sharpeyes",
    "LoadCredential=kafka-password:/etc/sharpeyes/kafka.password",
    "ExecStart=/opt/sharpeyes/current/bin/sharpeyes --log-json edge run --config /etc/sharpeyes/edge.yaml",
]


@dataclass(frozen=True)
class Staged:
    root: Path
    wheel: Path

    def install(self, release: str) -> subprocess.CompletedProcess[str]:
        return run_installer(self.root, self.wheel, "install", release=release)


def run_installer(
    root: Path, wheel: Path, *args: str, release: str = "0.1.0"
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DESTDIR": str(root),
        "SHARPEYES_SOURCE": str(wheel),
        "SHARPEYES_RELEASE": release,
        # the test installs only the project itself: no network, no opencv download
        "SHARPEYES_PIP_ARGS": "--no-deps --no-index",
        "PYTHON": getattr(sys, "_base_executable", sys.executable),
    }
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-q", "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        message = f"cannot build the sharpeyes wheel offline (needs setuptools and wheel):\n{result.stderr}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return next(out.glob("sharpeyes-*.whl"))


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Staged:
    root = tmp_path_factory.mktemp("destdir")
    result = run_installer(root, wheel, "install")
    assert result.returncode == 0, result.stdout + result.stderr
    return Staged(root, wheel)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_layout(staged: Staged) -> None:
    root = staged.root
    opt = root / "opt" / "sharpeyes"
    assert str((opt / "current").readlink()) == "releases/0.1.0"  # relative: survives copying the tree
    release = opt / "releases" / "0.1.0"
    assert os.access(release / "bin" / "sharpeyes", os.X_OK)
    assert list((release / "lib").glob("python3.*/site-packages/sharpeyes-*.dist-info"))
    # staged venv already points at its installed path, not at DESTDIR
    shebang = (release / "bin" / "sharpeyes").read_text().splitlines()[0]
    assert shebang == "#!/opt/sharpeyes/releases/0.1.0/bin/python"
    for text_file in [release / "pyvenv.cfg", release / "bin" / "activate"]:
        assert str(root) not in text_file.read_text()
    conf = root / "etc" / "sharpeyes"
    assert _mode(conf) == 0o750
    assert _mode(conf / "edge.yaml") == 0o640
    assert _mode(conf / "kafka.password") == 0o600
    assert (root / "usr/lib/sysusers.d/sharpeyes.conf").read_text().startswith("u sharpeyes ")


def test_unit_is_rendered_with_limits_and_hardening(staged: Staged) -> None:
    unit = (staged.root / UNIT).read_text()
    assert not re.search(r"@[A-Z]+@", unit), "no unrendered @PLACEHOLDER@"
    lines = set(unit.splitlines())
    missing = [d for d in HARDENING if d not in lines]
    assert not missing


def _verify_root(staged: Staged, tmp_path: Path) -> Path:
    """The staged tree plus the host's systemd units (verify resolves sysinit.target etc. in --root)."""
    host_units = Path("/usr/lib/systemd/system")
    if not host_units.is_dir():
        pytest.skip("no /usr/lib/systemd/system on this host")
    root = tmp_path / "root"
    shutil.copytree(staged.root, root, symlinks=True)
    shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)
    return root


def _verify(analyze: str, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [analyze, "verify", f"--root={root}", f"/{UNIT}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_systemd_analyze_verify(staged: Staged, tmp_path: Path) -> None:
    analyze = tool("systemd-analyze")
    root = _verify_root(staged, tmp_path)
    result = _verify(analyze, root)
    assert result.returncode == 0, result.stdout + result.stderr
    security = subprocess.run(
        [analyze, "security", "--offline=yes", f"--root={root}", f"/{UNIT}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout + security.stderr)
    assert exposure, security.stdout + security.stderr
    assert float(exposure.group(1)) <= 2.0, "systemd rates the sandbox OK (0 = locked down, 10 = none)"


def test_verify_would_catch_a_broken_unit(staged: Staged, tmp_path: Path) -> None:
    analyze = tool("systemd-analyze")
    root = _verify_root(staged, tmp_path)
    unit = root / UNIT
    unit.write_text(unit.read_text().replace("/opt/sharpeyes/current/bin/sharpeyes", "/opt/sharpeyes/nope"))
    result = _verify(analyze, root)
    assert result.returncode != 0
    assert "/opt/sharpeyes/nope" in result.stdout + result.stderr


def test_upgrade_keeps_config_and_rollback_returns(staged: Staged) -> None:
    conf = staged.root / "etc/sharpeyes/edge.yaml"
    conf.write_text(conf.read_text().replace("nvr-b03-01", "nvr-edited"))
    upgraded = staged.install("0.1.1")
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    opt = staged.root / "opt" / "sharpeyes"
    assert str((opt / "current").readlink()) == "releases/0.1.1"
    assert str((opt / "previous").readlink()) == "releases/0.1.0"
    assert "nvr-edited" in conf.read_text(), "an upgrade never overwrites the operator's config"

    back = run_installer(staged.root, staged.wheel, "rollback")
    assert back.returncode == 0, back.stdout + back.stderr
    assert str((opt / "current").readlink()) == "releases/0.1.0"
    assert str((opt / "previous").readlink()) == "releases/0.1.1"
