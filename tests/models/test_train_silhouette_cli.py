"""``python -m models.train_silhouette``: what it refuses before any work (no torch, no clips needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.train_silhouette.__main__ import main


@pytest.mark.parametrize("size", [["50", "96"], ["48", "2048"], ["0", "64"]])
def test_a_crop_size_the_manifest_would_refuse_is_refused_before_cutting(
    size: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["crops", "--clips", str(tmp_path), "--out", str(tmp_path / "c.npz"), "--size", *size])
    assert exit_info.value.code == 2
    assert "two multiples of 8 between 8 and 1024" in capsys.readouterr().err
    assert not (tmp_path / "c.npz").exists()
