"""The facade generator: deterministic per seed, physically plausible truth, files that scan accepts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.synth.clip_files import frames_in_memory, write_clip
from edge.synth.facade import SceneOptions, build_scene, render
from sharpeyes.config import CameraConfig, load_model

SMALL = SceneOptions(width=320, height=180, duration_s=2.0)


def _digest(seed: int, opts: SceneOptions, n: int = 6) -> str:
    h = hashlib.sha256()
    for i, frame in enumerate(render(build_scene(seed, opts))):
        if i >= n:
            break
        h.update(frame.image.tobytes())
    return h.hexdigest()


def test_a_scene_is_a_function_of_its_seed() -> None:
    assert _digest(5, SMALL) == _digest(5, SMALL)
    assert _digest(5, SMALL) != _digest(6, SMALL)


@pytest.mark.parametrize(
    "perspective", [pytest.param(True, id="looking-up"), pytest.param(False, id="level")]
)
def test_floor_lines_decrease_and_shrink_only_with_perspective(perspective: bool) -> None:
    scene = build_scene(3, SceneOptions(width=640, height=360, duration_s=1.0, perspective=perspective))
    rows = np.array(scene.floor_rows)
    bands = -np.diff(rows)
    assert np.all(bands > 0)
    assert 0 < rows[-1] < rows[0] < 360
    shrink = bands[-1] / bands[0]
    assert (shrink < 0.9) if perspective else (shrink > 0.93)


def test_throws_come_from_windows_and_fall_with_gravity() -> None:
    scene = build_scene(11, SceneOptions(width=640, height=360, duration_s=20.0, distractors=False))
    assert scene.flights
    m = scene.building.meters_per_floor
    for flight in scene.flights:
        th = flight.throw
        assert 2 <= th.floor <= scene.building.floors
        assert (th.floor - 1) * m < th.z0 < th.floor * m
        # vertical speed after 0.5 s: v0 − g·t, less a little drag
        i = int(np.searchsorted(flight.t, th.t0 + 0.5))
        vz = (flight.z[i + 1] - flight.z[i - 1]) / (flight.t[i + 1] - flight.t[i - 1])
        assert th.vz - 9.81 * 0.5 - 0.05 <= vz <= th.vz - 9.81 * 0.5 * 0.85
        assert flight.z[-1] == 0.0  # lands


def test_truth_tracks_follow_the_objects_in_the_frames() -> None:
    opts = SceneOptions(width=640, height=360, duration_s=6.0, distractors=False)
    frames, truth = frames_in_memory(build_scene(21, opts))
    assert truth["falls"] and not truth["distractor_only"]
    fall = truth["falls"][0]
    assert fall["first_seen_t"] == pytest.approx(fall["start_t"], abs=0.05)
    t, x, y = fall["track"][len(fall["track"]) // 2]
    frame = frames[round(t * opts.fps)].astype(np.int16)
    still = build_scene(21, opts).still.astype(np.int16)
    patch = np.abs(frame - still)[int(y) - 3 : int(y) + 4, int(x) - 3 : int(x) + 4].max()
    assert patch > 30  # the object is drawn where the truth says
    ys = [p[2] for p in fall["track"]]
    assert ys[-1] > ys[0] + 50


def test_distractor_only_footage_has_no_falls_but_has_distractors() -> None:
    scene = build_scene(2001, SceneOptions(width=320, height=180, duration_s=120.0, falls=False))
    assert scene.flights == []
    kinds = {d.kind for d in scene.moving} | {f.kind for f in scene.fixtures}
    assert {"bird", "leaf"} <= kinds
    assert kinds & {"window_light", "curtain"}


def test_write_clip_gives_a_video_a_camera_config_and_truth(tmp_path: Path) -> None:
    scene = build_scene(7, SceneOptions(width=320, height=180, duration_s=1.0))
    files = write_clip(scene, tmp_path)
    cap = cv2.VideoCapture(str(files.video))
    n = 0
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        assert frame.shape == (180, 320, 3)
        n += 1
    cap.release()
    assert n == 25
    camera = load_model(CameraConfig, files.camera)
    assert camera.detectors == ["high_altitude_throw"] and camera.facade is not None
    assert camera.facade.floor_boundaries_y == pytest.approx(scene.floor_rows, abs=0.06)
    truth = json.loads(files.truth.read_text())
    assert truth["seed"] == 7 and truth["video"] == files.video.name
    assert set(truth) >= {"falls", "floor_boundaries_y", "meters_per_floor", "fps", "distractors"}
