"""``sharpeyes edge scan`` end to end: a generated facade clip in, alerts per the wire contract out."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import pytest
import yaml
from click.testing import CliRunner, Result

import edge.analyzers
from edge.analyzers import AnalyzerUnavailableError, analyzers_for
from edge.scan import VideoOpenError, iter_emitted, sample_step
from sharpeyes.cli import main
from sharpeyes.config import CameraConfig
from sharpeyes.contract import AlertKind, ThrowAttributes, decode_alert
from tests.edge.detect.onnx_fixtures import build_model, write_manifest, yolov8_predictions

SEED = 21  # 640×360, 8 s: one throw, in view


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("facade")
    cv2.setNumThreads(1)
    result = CliRunner().invoke(
        main,
        [
            "synth",
            "facade",
            "--out",
            str(out),
            "--seed",
            str(SEED),
            "--duration",
            "8",
            "--width",
            "640",
            "--height",
            "360",
        ],
    )
    assert result.exit_code == 0, result.output
    stem = out / f"facade-{SEED}"
    video = next(p for p in out.iterdir() if p.name.startswith(stem.name) and p.suffix in (".mp4", ".avi"))
    return {
        "dir": out,
        "video": video,
        "camera": stem.with_suffix(".camera.yaml"),
        "truth": stem.with_suffix(".truth.json"),
    }


def scan(clip: dict[str, Path], out: Path, *extra: str) -> list[str]:
    result = CliRunner().invoke(
        main, ["edge", "scan", str(clip["video"]), "--camera", str(clip["camera"]), "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return out.read_text().splitlines()


def test_scan_writes_one_contract_alert_per_fall(clip: dict[str, Path], tmp_path: Path) -> None:
    truth = json.loads(clip["truth"].read_text())
    falls = [f for f in truth["falls"] if f["track"]]
    assert len(falls) == 1
    start = "2026-05-01T08:30:00Z"
    lines = scan(clip, tmp_path / "alerts.jsonl", "--start", start)
    alerts = [decode_alert(line) for line in lines]
    assert len(alerts) == len(falls)
    t0 = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    for alert, fall in zip(sorted(alerts, key=lambda a: a.ts), falls, strict=True):
        assert alert.kind is AlertKind.HIGH_ALTITUDE_THROW
        assert alert.source_id == f"synth-facade-{SEED}"
        attrs = alert.attributes
        assert isinstance(attrs, ThrowAttributes)
        assert attrs.origin_floor == fall["origin_floor"]
        # ts = when the object was first seen = start + the trajectory's first time
        assert alert.ts == t0 + timedelta(seconds=attrs.trajectory[0][0])
        assert attrs.trajectory[0][0] == pytest.approx(fall["first_seen_t"], abs=0.3)
        assert attrs.trajectory[-1][2] > attrs.trajectory[0][2]  # pixels, downward
        assert alert.evidence is not None and alert.evidence.snapshot_jpeg is not None
        jpeg = base64.b64decode(alert.evidence.snapshot_jpeg)
        assert hashlib.sha256(jpeg).hexdigest() == alert.evidence.sha256
        assert alert.agent.model is not None and alert.agent.model.name == "sharpeyes-throw-physics"


def test_a_rescan_writes_the_same_alert_ids_and_start_defaults_to_the_epoch(
    clip: dict[str, Path], tmp_path: Path
) -> None:
    first = [decode_alert(x) for x in scan(clip, tmp_path / "a.jsonl")]
    again = [decode_alert(x) for x in scan(clip, tmp_path / "b.jsonl")]
    assert [a.alert_id for a in first] == [a.alert_id for a in again]
    assert all(a.ts.year == 1970 for a in first)
    shifted = [decode_alert(x) for x in scan(clip, tmp_path / "c.jsonl", "--start", "2026-01-01T00:00:00Z")]
    assert {a.alert_id for a in shifted}.isdisjoint({a.alert_id for a in first})


def test_frames_are_sampled_at_the_camera_fps(clip: dict[str, Path]) -> None:
    data = yaml.safe_load(clip["camera"].read_text())
    camera = CameraConfig.model_validate({**data, "fps": 12.5})
    seen: list[float] = []

    class Spy:
        def process(self, frame, t_s):  # type: ignore[no-untyped-def]
            seen.append(t_s)
            return []

        def finish(self, t_s):  # type: ignore[no-untyped-def]
            return []

    entry = analyzers_for(camera)[0]
    spy = type(entry)(entry.detector, Spy(), entry.model)
    list(iter_emitted(clip["video"], [spy], camera.fps))
    assert len(seen) == 100 and seen[:3] == [0.0, 0.08, 0.16]
    assert sample_step(25.0, 25.0) == 1.0 and sample_step(25.0, 5.0) == 5.0 and sample_step(10.0, 25.0) == 1.0


def _corridor(detectors: list[str]) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": "cam-corridor",
            "kind": "corridor",
            "source": "x.mp4",
            "detectors": detectors,
            "zones": [{"name": "lane", "polygon": [[0, 0], [10, 0], [10, 10]]}],
        }
    )


def test_model_free_clutter_runs_offline() -> None:
    [analyzer] = analyzers_for(_corridor(["corridor_clutter"]))
    assert analyzer.detector == "corridor_clutter"


def test_without_the_reference_model_ebike_indoor_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(edge.analyzers, "DEFAULT_INDOOR_MANIFEST", tmp_path / "models" / "none.yaml")
    with pytest.raises(AnalyzerUnavailableError, match=r"needs a detector model.*none\.yaml.*--model"):
        analyzers_for(_corridor(["ebike_indoor"]))
    with pytest.raises(AnalyzerUnavailableError, match=r"missing\.yaml does not exist \(pass --model"):
        analyzers_for(_corridor(["ebike_indoor"]), model=tmp_path / "missing.yaml")


# an e-bike box (cx, cy, w, h in the 320x320 model input) that every frame shows; on a 640x360 frame it is
# x 240..400, y 120..240 (scale 0.5, 70 px of padding above and below)
EBIKE_BOX = (160.0, 160.0, 80.0, 60.0)
INDOOR = ["ebike", "bicycle", "stroller", "person", "box", "bag", "furniture"]


def _model(tmp_path: Path, classes: list[str], sha256: str | None = None) -> Path:
    preds = yolov8_predictions([(*EBIKE_BOX, 0, 0.9)], len(classes), 20)
    onnx_file = build_model(tmp_path / "indoor.onnx", preds, (320, 320))
    return write_manifest(tmp_path, onnx_file, "yolov8", classes, (320, 320), sha256=sha256)


def _lift_camera(folder: Path, zone: list[list[float]]) -> Path:
    path = folder / "lift.camera.yaml"
    doc = {
        "id": "cam-lift",
        "kind": "elevator",
        "source": "x.mp4",
        "detectors": ["ebike_indoor"],
        "fps": 5,
        "zones": [{"name": "car_floor", "polygon": zone}],
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _scan_with_model(video: Path, camera: Path, manifest: Path, out: Path) -> Result:
    """``sharpeyes edge scan VIDEO --camera F --out F --model M`` through the real CLI."""
    return CliRunner().invoke(
        main,
        ["edge", "scan", str(video), "--camera", str(camera), "--out", str(out), "--model", str(manifest)],
    )


def test_scan_with_a_model_raises_one_ebike_alert_and_names_the_model(
    clip: dict[str, Path], tmp_path: Path
) -> None:
    manifest = _model(tmp_path, INDOOR)
    camera = _lift_camera(tmp_path, [[200, 200], [460, 200], [460, 300], [200, 300]])
    out = tmp_path / "alerts.jsonl"
    result = _scan_with_model(clip["video"], camera, manifest, out)
    assert result.exit_code == 0, result.output
    [alert] = [decode_alert(line) for line in out.read_text().splitlines()]
    assert alert.kind is AlertKind.EBIKE_INDOOR and alert.zone == "car_floor"
    assert alert.bbox is not None and alert.bbox[3] == pytest.approx(240, abs=1)
    assert alert.ts == datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=0.4)  # 3rd of 5 fps frames
    m = yaml.safe_load(manifest.read_text())
    assert alert.agent.model is not None
    assert (alert.agent.model.name, alert.agent.model.version, alert.agent.model.sha256) == (
        m["name"],
        m["version"],
        hashlib.sha256((tmp_path / "indoor.onnx").read_bytes()).hexdigest(),
    )


def test_an_ebike_standing_outside_the_zone_raises_nothing(clip: dict[str, Path], tmp_path: Path) -> None:
    manifest = _model(tmp_path, INDOOR)
    camera = _lift_camera(tmp_path, [[0, 300], [640, 300], [640, 360], [0, 360]])  # below its wheels
    out = tmp_path / "alerts.jsonl"
    result = _scan_with_model(clip["video"], camera, manifest, out)
    assert result.exit_code == 0, result.output
    assert out.read_text() == ""


@pytest.mark.parametrize(
    ("classes", "sha256", "message"),
    [
        pytest.param(INDOOR, "0" * 64, "checksum", id="tampered-file"),
        pytest.param(["person", "car"], None, "include no e-bike class", id="no-ebike-class"),
    ],
)
def test_a_model_the_rule_cannot_use_fails_the_scan_with_a_clear_message(
    clip: dict[str, Path], tmp_path: Path, classes: list[str], sha256: str | None, message: str
) -> None:
    manifest = _model(tmp_path, classes, sha256)
    camera = _lift_camera(tmp_path, [[200, 200], [460, 200], [460, 300]])
    result = _scan_with_model(clip["video"], camera, manifest, tmp_path / "o.jsonl")
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_scan_without_model_and_without_the_reference_model_says_to_pass_one(
    clip: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge.analyzers, "DEFAULT_INDOOR_MANIFEST", tmp_path / "absent.yaml")
    camera = _lift_camera(tmp_path, [[200, 200], [460, 200], [460, 300]])
    result = CliRunner().invoke(
        main,
        ["edge", "scan", str(clip["video"]), "--camera", str(camera), "--out", str(tmp_path / "o.jsonl")],
    )
    assert result.exit_code != 0 and "pass --model" in result.output


def test_a_file_that_is_not_a_video_is_refused(tmp_path: Path, clip: dict[str, Path]) -> None:
    bogus = tmp_path / "not-a-video.mp4"
    bogus.write_bytes(b"hello")
    camera = CameraConfig.model_validate(yaml.safe_load(clip["camera"].read_text()))
    with pytest.raises(VideoOpenError):
        list(iter_emitted(bogus, analyzers_for(camera), camera.fps))
    result = CliRunner().invoke(
        main,
        ["edge", "scan", str(bogus), "--camera", str(clip["camera"]), "--out", str(tmp_path / "o.jsonl")],
    )
    assert result.exit_code != 0 and "not-a-video.mp4" in result.output
