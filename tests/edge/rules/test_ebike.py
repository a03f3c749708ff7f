"""``ebike_indoor``: k of n frames in a zone, one alert per e-bike, any manifest with an e-bike class."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pytest

from edge.detect import Detector, SessionPool
from edge.detect.detections import Detections
from edge.rules.ebike import EbikeParams, EbikeRule, NoEbikeClass
from sharpeyes.config import Zone
from sharpeyes.contract import AlertKind
from sharpeyes.timefmt import EPOCH
from tests.edge.detect.onnx_fixtures import build_model, write_manifest, yolov8_predictions

LIFT = Zone(name="lift", polygon=[[0, 100], [320, 100], [320, 240], [0, 240]], dwell_s=10)


class Scripted:
    """A detector seam that returns one scripted list of boxes per call."""

    class_names: ClassVar[list[str]] = ["person", "ebike"]

    def __init__(self, script: list[list[tuple[float, float, float, float, float, int]]]) -> None:
        self.script = script
        self.calls = 0

    def threshold_of(self, class_id: int) -> float:
        return 0.5

    def detect(self, frame: np.ndarray) -> Detections:
        rows = self.script[min(self.calls, len(self.script) - 1)]
        self.calls += 1
        if not rows:
            return Detections.empty()
        arr = np.array(rows, np.float32)
        return Detections(arr[:, :4], arr[:, 4], arr[:, 5].astype(np.int64))


FRAME = np.zeros((240, 320, 3), np.uint8)
EBIKE_IN = (100, 120, 180, 220, 0.8, 1)  # standing in the lift
EBIKE_OUT = (100, 10, 180, 90, 0.8, 1)  # above the zone (in the corridor outside)
PERSON_IN = (20, 110, 60, 230, 0.9, 0)


@pytest.mark.parametrize(
    ("script", "alerts_at"),
    [
        pytest.param([[EBIKE_IN]] * 10, [2], id="steady-ebike-one-alert-at-k"),
        pytest.param([[EBIKE_IN], [], [EBIKE_IN], [], [EBIKE_IN]] + [[]] * 5, [4], id="k-of-n-with-gaps"),
        pytest.param([[EBIKE_IN], [], [], [], [EBIKE_IN], [], [], [], [EBIKE_IN], []], [], id="too-sparse"),
        pytest.param([[EBIKE_OUT]] * 10, [], id="outside-zone"),
        pytest.param([[PERSON_IN]] * 10, [], id="person-is-not-an-ebike"),
    ],
)
def test_k_of_n(
    script: list[list[tuple[float, float, float, float, float, int]]], alerts_at: list[int]
) -> None:
    rule = EbikeRule([LIFT], Scripted(script), EbikeParams(k=3, n=5))
    got = []
    for i in range(len(script)):
        for draft in rule.process(FRAME, i * 0.2):
            got.append(i)
            assert draft.kind is AlertKind.EBIKE_INDOOR and draft.zone == "lift"
            assert draft.snapshot_jpeg is not None and draft.snapshot_jpeg[:2] == b"\xff\xd8"
    assert got == alerts_at


class Calibrated(Scripted):
    """A model whose manifest reports e-bikes from 0.3."""

    def threshold_of(self, class_id: int) -> float:
        return 0.3


@pytest.mark.parametrize(
    ("params", "alerts_at"),
    [
        pytest.param(EbikeParams(track_start=None), [2], id="starts-at-the-models-threshold"),
        pytest.param(EbikeParams(), [], id="the-default-0.5-never-starts"),
    ],
)
def test_tracks_start_at_the_models_calibrated_threshold(params: EbikeParams, alerts_at: list[int]) -> None:
    weak = (*EBIKE_IN[:4], 0.4, 1)  # above the model's 0.3, below a fixed 0.5
    rule = EbikeRule([LIFT], Calibrated([[weak]] * 6), params)
    got = [i for i in range(6) for _ in rule.process(FRAME, i * 0.2)]
    assert got == alerts_at


class WithBicycles(Scripted):
    class_names: ClassVar[list[str]] = ["person", "ebike", "bicycle"]


BIKE_AS_EBIKE = (100, 120, 180, 220, 0.6, 1)  # a bicycle the model also calls an e-bike ...
BIKE_AS_BIKE = (101, 121, 181, 221, 0.8, 2)  # ... more surely a bicycle, on the same box
EBIKE_AS_BIKE = (101, 121, 181, 221, 0.7, 2)  # an e-bike taken for a bicycle for a moment (at the door)
EBIKE_UNSURE = (100, 120, 180, 220, 0.55, 1)


@pytest.mark.parametrize(
    ("script", "alerts_at"),
    [
        # lift clip 9008 (model v0.2.0): a bicycle, 0.8 as a bicycle and 0.5-0.7 as an e-bike for seconds
        pytest.param([[BIKE_AS_EBIKE, BIKE_AS_BIKE]] * 15, [], id="bicycle-also-called-an-ebike"),
        # clip 9005: an e-bike seen as one for a while, then taken for a bicycle for three frames
        pytest.param(
            [[EBIKE_IN]] * 2 + [[EBIKE_UNSURE, EBIKE_AS_BIKE]] * 3 + [[EBIKE_IN]] * 5,
            [2],
            id="ebike-briefly-taken-for-a-bicycle",
        ),
        # the first frames unsure, the model then sure of the e-bike: it counts from then on
        pytest.param([[EBIKE_UNSURE, EBIKE_AS_BIKE]] * 2 + [[EBIKE_IN]] * 8, [4], id="ebike-unsure-at-first"),
    ],
)
def test_a_bicycle_the_model_is_surer_of_is_not_an_ebike(
    script: list[list[tuple[float, float, float, float, float, int]]], alerts_at: list[int]
) -> None:
    rule = EbikeRule([LIFT], WithBicycles(script), EbikeParams(k=3, n=5))
    got = [i for i in range(len(script)) for _ in rule.process(FRAME, i * 0.2)]
    assert got == alerts_at


def _moving(y2: float, score: float, class_id: int) -> tuple[float, float, float, float, float, int]:
    """A box of the e-bike's size whose bottom edge (where it stands) is at ``y2``."""
    return (100, y2 - 100, 180, y2, score, class_id)


@pytest.mark.parametrize(
    ("script", "alerts_at"),
    [
        # lift clip 9305 (model v0.4.0): a bicycle plainly a bicycle for 4 s as it was pushed in, then,
        # standing half out of the picture, scored a little higher as an e-bike than as a bicycle for 6 s
        pytest.param(
            [[BIKE_AS_BIKE]] * 10 + [[EBIKE_UNSURE, (101, 121, 181, 221, 0.5, 2)]] * 30,
            [],
            id="bicycle-seen-plainly-first-stays-a-bicycle",
        ),
        # lift clip 9207: an e-bike seen plainly in the corridor, outside the zone, then taken for a
        # bicycle as it crosses the door into the car; what it was seen as outside counts, so its first
        # frames in the car count and the alert does not wait for the model to be sure again
        pytest.param(
            [[_moving(y2, 0.8, 1)] for y2 in (60, 70, 80, 90)]
            + [[_moving(y2, 0.45, 1), _moving(y2 + 1, 0.7, 2)] for y2 in (110, 120, 130, 140, 150)]
            + [[_moving(160, 0.8, 1)]] * 5,
            [6],
            id="ebike-seen-outside-then-doubtful-at-the-door",
        ),
    ],
)
def test_an_objects_whole_life_decides_what_it_is(
    script: list[list[tuple[float, float, float, float, float, int]]], alerts_at: list[int]
) -> None:
    rule = EbikeRule([LIFT], WithBicycles(script), EbikeParams(k=3, n=5))
    got = [i for i in range(len(script)) for _ in rule.process(FRAME, i * 0.2)]
    assert got == alerts_at


def test_model_without_ebike_class_is_refused() -> None:
    class People(Scripted):
        class_names: ClassVar[list[str]] = ["person", "bicycle"]

    with pytest.raises(NoEbikeClass, match="no e-bike class"):
        EbikeRule([LIFT], People([[]]))


def test_through_real_onnx_detector(tmp_path: Path) -> None:
    """A tiny ONNX model always 'sees' an e-bike in the lift: exactly one alert over many frames."""
    classes = ["person", "bicycle", "electric_bicycle"]
    preds = yolov8_predictions([(160, 170, 80, 100, 2, 0.85), (40, 170, 40, 110, 0, 0.9)], len(classes), 20)
    model = build_model(tmp_path / "m.onnx", preds, (320, 320))
    detector = Detector.from_manifest(
        write_manifest(tmp_path, model, "yolov8", classes, (320, 320)), SessionPool(1)
    )
    rule = EbikeRule([LIFT], detector, EbikeParams(k=3, n=5))
    frame = np.full((320, 320, 3), 90, np.uint8)
    drafts = [d for i in range(15) for d in rule.process(frame, i * 0.2)]
    assert len(drafts) == 1
    assert drafts[0].t_s == pytest.approx(0.4)
    assert drafts[0].attributes.model_dump()["class"] == "electric_bicycle"
    jpeg = cv2.imdecode(np.frombuffer(drafts[0].snapshot_jpeg or b"", np.uint8), cv2.IMREAD_COLOR)
    assert jpeg is not None and jpeg.shape == frame.shape


@pytest.mark.parametrize(
    ("track_start", "expected"),
    [
        pytest.param(0.5, 0.5, id="default-0.5"),
        pytest.param(None, 0.3, id="null-takes-the-manifest-threshold"),
    ],
)
def test_the_agent_config_sets_where_tracks_start(
    tmp_path: Path, track_start: float | None, expected: float
) -> None:
    from edge.agent import BuiltinAnalyzers
    from edge.config import AgentConfig
    from sharpeyes.config import CameraConfig

    classes = ["person", "ebike"]
    model = build_model(tmp_path / "m.onnx", yolov8_predictions([], len(classes), 20), (320, 320))
    manifest = write_manifest(tmp_path, model, "yolov8", classes, (320, 320), per_class={"ebike": 0.3})
    camera = {
        "id": "cam-lift-1",
        "kind": "elevator",
        "source": "lift.mp4",
        "detectors": ["ebike_indoor"],
        "fps": 5,
        "zones": [LIFT.model_dump()],
    }
    config = AgentConfig.model_validate(
        {
            "agent_id": "nvr-1",
            "kafka": {"bootstrap": "127.0.0.1:9"},
            "outbox": {"path": str(tmp_path / "outbox.db")},
            "detectors": {
                "manifests": {"tiny": str(manifest)},
                "ebike_model": "tiny",
                "ebike_track_start": track_start,
            },
            "cameras": [camera],
        }
    )
    [rule] = BuiltinAnalyzers(config, SessionPool(1))(CameraConfig.model_validate(camera), EPOCH)
    assert isinstance(rule, EbikeRule)
    assert rule.tracker.params.high == pytest.approx(expected)
