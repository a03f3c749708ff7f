"""A lift clip with one e-bike entry and one bicycle entry, end to end.

With an oracle detector (the renderer's own boxes) the rule, the zone and the truth must agree: one alert,
for the e-bike, 0.4 s after it enters (the third of k=3 frames at 5 fps). With the shipped reference model
(``models/indoor/indoor-det-512.yaml``, or ``$SHARPEYES_INDOOR_MODEL``) through ``sharpeyes edge scan``:
exactly one ``ebike_indoor`` alert, none for the bicycle, within 2 s of the e-bike's entry. The issue's 1 s
is measured by ``benchmarks/ebike_eval.py`` (RESULTS.md; the shipped model: 22 of 24 fresh entries within
1 s, max 4.0 s): this bound guards against regressions, not the target.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import pytest
from click.testing import CliRunner

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, CameraAnalyzer
from edge.scan import iter_emitted
from edge.synth.elevator import write_elevator_set
from edge.synth.truth_detector import TruthEbikeRule
from sharpeyes.cli import main
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract import AlertKind, ModelInfo, decode_alert
from sharpeyes.timefmt import EPOCH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lift_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    out = tmp_path_factory.mktemp("lift-e2e")
    cv2.setNumThreads(1)
    [files] = write_elevator_set(out, seed=31, clips=1, kinds=["ebike", "bicycle"], fps=5.0)
    return files.video, files.camera, json.loads(files.truth.read_text())


def _ebike_entry(truth: dict) -> float:
    [episode] = [e for e in truth["episodes"] if e["kind"] == "ebike"]
    [entry] = [e for e in episode["entries"] if e["class"] == "ebike"]
    return float(entry["enter_s"])


def test_with_the_renderers_boxes_the_rule_alerts_once_for_the_ebike_on_entry(
    lift_clip: tuple[Path, Path, dict],
) -> None:
    video, camera_path, truth = lift_clip
    camera = load_model(CameraConfig, camera_path)
    ideal = CameraAnalyzer(
        "ebike_indoor", TruthEbikeRule(camera, truth), ModelInfo(name="truth", version="1", sha256="0" * 64)
    )
    alerts = [e.draft for e in iter_emitted(video, [ideal], camera.fps)]
    [alert] = alerts
    assert alert.t_s - _ebike_entry(truth) == pytest.approx(0.4, abs=0.01)
    assert alert.attributes.model_dump()["class"] == "ebike"


def _model() -> Path:
    path = Path(os.environ.get("SHARPEYES_INDOOR_MODEL", str(DEFAULT_INDOOR_MANIFEST)))
    if not path.is_file():
        pytest.skip(f"no reference model at {path} (set SHARPEYES_INDOOR_MODEL to an interim manifest)")
    return path


def test_scan_with_the_reference_model_alerts_once_for_the_ebike_and_not_the_bicycle(
    lift_clip: tuple[Path, Path, dict], tmp_path: Path
) -> None:
    video, camera, truth = lift_clip
    out = tmp_path / "alerts.jsonl"
    args = ["edge", "scan", str(video), "--camera", str(camera), "--out", str(out)]
    if "SHARPEYES_INDOOR_MODEL" in os.environ or not DEFAULT_INDOOR_MANIFEST.is_file():
        args += ["--model", str(_model())]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    alerts = [decode_alert(line) for line in out.read_text().splitlines()]
    assert all(a.kind is AlertKind.EBIKE_INDOOR for a in alerts)
    times = [(a.ts - EPOCH).total_seconds() for a in alerts]
    entered = _ebike_entry(truth)
    [bicycle] = [e for e in truth["episodes"] if e["kind"] == "bicycle"]
    assert not [t for t in times if bicycle["start_s"] <= t <= bicycle["end_s"]], times
    assert len(times) == 1, times
    assert 0.0 <= times[0] - entered <= 2.0, (times, entered)
