from __future__ import annotations

from pathlib import Path

import pytest

from sharpeyes.config import CameraConfig, load_model, mask_credentials
from sharpeyes.errors import ConfigError

FACADE = """\
id: cam-b03-facade-e
kind: facade
source: rtsp://admin:s3cr3t@10.0.0.5/stream1
building: B-03
detectors: [high_altitude_throw]
fps: 25
facade:
  floor_boundaries_y: [700, 655, 612, 570]
  meters_per_floor: 3.0
mask: []
"""


def test_design_example_loads(tmp_path: Path) -> None:
    path = tmp_path / "cam.yaml"
    path.write_text(FACADE, encoding="utf-8")
    cam = load_model(CameraConfig, path)
    assert cam.facade is not None
    assert cam.facade.floor_boundaries_y == [700, 655, 612, 570]
    assert "s3cr3t" not in repr(cam)
    assert "s3cr3t" not in cam.safe_source


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        pytest.param(FACADE.replace("fps: 25", "fps: 0"), "fps", "greater than 0", id="fps-zero"),
        pytest.param(FACADE.replace("fps: 25", "fsp: 25"), "fsp", "unknown field", id="typo"),
        pytest.param(
            FACADE.replace("[700, 655, 612, 570]", "[570, 612, 655, 700]"),
            "facade.floor_boundaries_y",
            "must decrease",
            id="floors-upside-down",
        ),
        pytest.param(FACADE.replace("kind: facade", "kind: drone"), "kind", "Input should be", id="kind"),
        pytest.param(
            FACADE.replace("detectors: [high_altitude_throw]", "detectors: [ufo]"),
            "detectors",
            "unknown detector",
            id="detector",
        ),
        pytest.param("id: [", "line 1", "invalid YAML", id="not-yaml"),
    ],
)
def test_errors_name_file_and_field(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = tmp_path / "cam.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_model(CameraConfig, path)
    assert str(path) in str(caught.value)
    assert caught.value.where.startswith(where)
    assert words in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_model(CameraConfig, tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("rtsp://admin:pa:ss@10.0.0.5:554/s1", "rtsp://admin:***@10.0.0.5:554/s1"),
        ("rtsp://admin@10.0.0.5/s1", "rtsp://admin:***@10.0.0.5/s1"),
        ("http://10.0.0.5/mjpeg", "http://10.0.0.5/mjpeg"),
        ("/var/clips/a.mp4", "/var/clips/a.mp4"),
    ],
)
def test_credentials_are_masked(url: str, masked: str) -> None:
    assert mask_credentials(url) == masked
