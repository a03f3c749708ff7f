from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from sharpeyes.cli import main


def test_help_lists_the_commands_that_exist() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sharpeyes.cli", "--help"], capture_output=True, text=True, check=True
    )
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line.strip()}
    assert {"registry", "schemas"} <= listed
    for name in listed:  # every listed command answers its own --help
        sub = subprocess.run(
            [sys.executable, "-m", "sharpeyes.cli", name, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert sub.returncode == 0, sub.stderr


def test_registry_check_reports_the_district(demo_district: Path) -> None:
    result = CliRunner().invoke(main, ["registry", "check", str(demo_district)])
    assert result.exit_code == 0, result.output
    assert "43 grids" in result.output and "9 communities" in result.output


def test_registry_check_names_the_problem(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["registry", "check", str(tmp_path)])
    assert result.exit_code != 0
    assert "district.yaml" in result.output and "file not found" in result.output
