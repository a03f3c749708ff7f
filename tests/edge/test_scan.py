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
from click.testing import CliRunner

from edge.analyzers import AnalyzerUnavailableError, analyzers_for
from edge.scan import VideoOpenError, iter_emitted, sample_step
from sharpeyes.cli import main
from sharpeyes.config import CameraConfig
from sharpeyes.contract import AlertKind, ThrowAttributes, decode_alert

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


def test_a_detector_that_needs_a_model_is_a_clear_error_offline() -> None:
    with pytest.raises(AnalyzerUnavailableError, match="ebike_indoor needs a detector model"):
        analyzers_for(_corridor(["ebike_indoor"]))


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
