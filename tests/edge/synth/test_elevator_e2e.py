"""A lift clip with one e-bike entry and one bicycle entry, end to end.

With an oracle detector (the renderer's own boxes) the rule, the zone and the truth must agree: one alert,
for the e-bike, 0.4 s after it enters (the third of k=3 frames at 5 fps). With the shipped reference model
(``models/indoor/indoor-det-320.yaml``, or ``$SHARPEYES_INDOOR_MODEL``) through ``sharpeyes edge scan``:
exactly one ``ebike_indoor`` alert, within 1 s of the e-bike's entry, none for the bicycle.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner

from edge.analyzers import DEFAULT_INDOOR_MANIFEST
from edge.detect import Detections
from edge.rules.ebike import EbikeRule
from edge.synth.elevator import write_elevator_set
from edge.synth.indoor_objects import CLASSES
from sharpeyes.cli import main
from sharpeyes.config import CameraConfig, load_model
from sharpeyes.contract import AlertKind, decode_alert
from sharpeyes.timefmt import EPOCH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lift_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    out = tmp_path_factory.mktemp("lift-e2e")
    cv2.setNumThreads(1)
    [files] = write_elevator_set(out, seed=31, clips=1, kinds=["ebike", "bicycle"], fps=5.0)
    return files.video, files.camera, json.loads(files.truth.read_text())


class OracleDetector:
    """Returns, for each frame in order, the boxes the renderer says are visible (score 0.9)."""

    def __init__(self, truth: dict) -> None:
        self.by_time: dict[float, list[tuple[int, list[float]]]] = {}
        for episode in truth["episodes"]:
            for entry in episode["entries"]:
                for t, *box in entry["boxes"]:
                    self.by_time.setdefault(round(t, 2), []).append((CLASSES.index(entry["class"]), box))
        self.t = 0.0

    @property
    def class_names(self) -> list[str]:
        return list(CLASSES)

    def detect(self, frame: np.ndarray) -> Detections:
        found = self.by_time.get(round(self.t, 2), [])
        if not found:
            return Detections.empty()
        return Detections(
            np.array([b for _, b in found], np.float32),
            np.full(len(found), 0.9, np.float32),
            np.array([c for c, _ in found], np.int64),
        )


def _ebike_entry(truth: dict) -> float:
    [episode] = [e for e in truth["episodes"] if e["kind"] == "ebike"]
    [entry] = [e for e in episode["entries"] if e["class"] == "ebike"]
    return float(entry["enter_s"])


def test_with_the_renderers_boxes_the_rule_alerts_once_for_the_ebike_on_entry(
    lift_clip: tuple[Path, Path, dict],
) -> None:
    video, camera_path, truth = lift_clip
    oracle = OracleDetector(truth)
    rule = EbikeRule.from_camera(load_model(CameraConfig, camera_path), oracle)
    cap = cv2.VideoCapture(str(video))
    alerts = []
    for i in range(round(truth["duration_s"] * truth["fps"])):
        ok, frame = cap.read()
        assert ok
        oracle.t = i / truth["fps"]
        alerts += rule.process(frame, oracle.t)
    cap.release()
    [alert] = alerts
    assert alert.t_s - _ebike_entry(truth) == pytest.approx(0.4, abs=0.01)
    assert alert.attributes.model_dump()["class"] == "ebike"


def _model() -> Path:
    path = Path(os.environ.get("SHARPEYES_INDOOR_MODEL", str(DEFAULT_INDOOR_MANIFEST)))
    if not path.is_file():
        pytest.skip(f"no reference model at {path} (set SHARPEYES_INDOOR_MODEL to an interim manifest)")
    return path


def test_scan_with_the_reference_model_alerts_once_for_the_ebike_within_a_second(
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
    assert 0.0 <= times[0] - entered <= 1.0, (times, entered)
