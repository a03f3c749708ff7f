"""Lift clips: doors, movers, and a ground truth that agrees with what was drawn; files that scan accepts."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.synth.elevator import (
    EPISODE_KINDS,
    ZONE_NAME,
    Mover,
    clip_kinds,
    make_clip,
    render,
    write_elevator_set,
)
from edge.synth.indoor_objects import sample_thing
from edge.synth.lift_car import LiftCar, door_fraction
from sharpeyes.config import CameraConfig, load_model


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        pytest.param(0.9, 0.0, id="before"),
        pytest.param(1.5, 0.5, id="opening"),
        pytest.param(4.0, 1.0, id="open"),
        pytest.param(6.25, 0.75, id="closing"),
        pytest.param(7.0, 0.0, id="shut-again"),
    ],
)
def test_doors_slide_open_and_shut(t: float, expected: float) -> None:
    assert door_fraction(t, opens_at=1.0, closes_at=6.0, move_s=1.0) == pytest.approx(expected)


def test_a_mover_follows_its_legs_and_is_gone_outside_them() -> None:
    m = Mover(
        sample_thing("box", np.random.default_rng(0)),
        ((1.0, 0.0, -2.0), (3.0, 0.0, 2.0), (5.0, 0.0, 2.0)),
        0.0,
        "m",
    )
    assert m.at(0.5) is None and m.at(5.5) is None
    mid = m.at(2.0)
    assert mid is not None and (mid.x, mid.z) == pytest.approx((0.0, 0.0))
    still = m.at(4.0)
    assert still is not None and still.z == pytest.approx(2.0)


def test_the_zone_is_the_car_floor_inside_the_frame() -> None:
    car = LiftCar.sample(np.random.default_rng(5))
    zone = np.asarray(car.zone_polygon(), np.float32)
    assert len(zone) >= 3
    assert np.all(zone >= 0) and np.all(zone[:, 0] <= 639) and np.all(zone[:, 1] <= 479)
    centre = car.camera.project(np.array([[car.width / 2, 0.0, car.depth / 2]]))[0][0]
    assert cv2.pointPolygonTest(zone, (float(centre[0]), float(centre[1])), False) > 0
    landing = car.camera.project(np.array([[(car.door_x0 + car.door_x1) / 2, 0.0, -0.5]]))[0][0]
    assert cv2.pointPolygonTest(zone, (float(landing[0]), float(landing[1])), False) < 0


def test_every_clip_has_an_ebike_and_kinds_come_from_the_list() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        kinds = clip_kinds(rng)
        assert "ebike" in kinds and len(kinds) == 3 and set(kinds) <= set(EPISODE_KINDS)


def test_a_clip_is_a_function_of_its_seed() -> None:
    def first_frames(seed: int) -> list[np.ndarray]:
        clip = make_clip(np.random.default_rng(seed), ["people"], fps=2.0)
        return [f.image for _, f in zip(range(4), render(clip, seed), strict=False)]

    assert all(np.array_equal(a, b) for a, b in zip(first_frames(3), first_frames(3), strict=True))
    assert not np.array_equal(first_frames(3)[3], first_frames(4)[3])


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    out = tmp_path_factory.mktemp("lift")
    [files] = write_elevator_set(out, seed=2, clips=1, kinds=["ebike", "stroller"], fps=2.0)
    return files.video, files.camera, files.truth


@pytest.mark.slow
def test_the_camera_config_runs_ebike_indoor_on_the_car_floor(written: tuple[Path, Path, Path]) -> None:
    video, camera_path, _ = written
    camera = load_model(CameraConfig, camera_path)
    assert camera.kind.value == "elevator" and camera.detectors == ["ebike_indoor"] and camera.fps == 5.0
    assert [z.name for z in camera.zones] == [ZONE_NAME] and camera.source == video.name
    cap = cv2.VideoCapture(str(video))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape == (480, 640, 3)


@pytest.mark.slow
def test_the_truth_says_when_each_thing_stood_in_the_zone(written: tuple[Path, Path, Path]) -> None:
    truth = json.loads(written[2].read_text())
    assert [e["kind"] for e in truth["episodes"]] == ["ebike", "stroller"]
    for episode in truth["episodes"]:
        (opens, closes), (reopens, _) = episode["doors"]
        lead = episode["entries"][0]
        assert lead["class"] == episode["kind"] and lead["entered"]
        # it comes in after the doors start to open, and is in before they first close
        assert opens < lead["enter_s"] < closes
        # it is still in while the car travels, and leaves after the doors open again
        assert lead["exit_s"] > reopens
        assert episode["start_s"] <= lead["enter_s"] <= lead["exit_s"] <= episode["end_s"]
    first, second = truth["episodes"]
    assert first["end_s"] < second["start_s"]
    assert {e["class"] for e in first["entries"]} == {"ebike", "person"}  # pushed in by someone
