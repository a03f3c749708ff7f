"""``sharpeyes synth corridor|elevator``: without --stills they write clips, camera YAML and truth."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sharpeyes.cli import main
from sharpeyes.config import CameraConfig, load_model


@pytest.mark.slow
def test_synth_corridor_without_stills_still_writes_clutter_clips(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", "corridor", "--out", str(tmp_path), "--seed", "3", "--clips", "1", "--duration", "30"]
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.iterdir()} == {
        "corridor-3-0.mp4",
        "corridor-3-0.camera.yaml",
        "corridor-3-0.truth.json",
    }
    assert load_model(CameraConfig, tmp_path / "corridor-3-0.camera.yaml").detectors == ["corridor_clutter"]
    assert not (tmp_path / "images").exists()


def test_stills_and_clips_options_are_documented() -> None:
    for scene in ("corridor", "elevator"):
        result = CliRunner().invoke(main, ["synth", scene, "--help"])
        assert result.exit_code == 0 and "--stills" in result.output and "YOLO layout" in result.output
