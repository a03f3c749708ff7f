"""``OncePerFrame``: the rules of one camera share one detector run per frame (the shipped model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, analyzers_for
from edge.detect import Detector, SessionPool
from edge.detect.once import OncePerFrame
from edge.synth.corridor_draw import CorridorRenderer
from edge.synth.corridor_scene import CorridorScene, Lighting, Walker
from sharpeyes.config import CameraConfig
from sharpeyes.timefmt import EPOCH

CORRIDOR_BOTH: dict[str, object] = {
    "id": "cam-corridor-1",
    "kind": "corridor",
    "source": "corridor.mp4",
    "detectors": ["corridor_clutter", "ebike_indoor"],
    "fps": 5,
    "zones": [{"name": "fire_lane", "polygon": [[0, 100], [640, 100], [640, 360], [0, 360]]}],
}


@pytest.fixture(scope="module")
def frames() -> list[np.ndarray]:
    """The empty corridor for 6.4 s (the clutter rule learns it), then a person walking down it, a fifth
    of a second apart."""
    still = Lighting(0.0, 60.0, 0.0, 0.0, 80.0, 3.0)
    walker = Walker(enter_s=6.4, z_from=3.0, z_to=19.0, x_m=0.4, speed=1.0, color=(0, 0, 0))
    scene = CorridorScene(duration_s=10.0, fps=10.0, dwell_s=20.0, lighting=still, walkers=[walker])
    renderer = CorridorRenderer(scene, seed=5)
    return [renderer.frame(0.2 * k) for k in range(40)]


def test_the_same_frame_asked_twice_runs_the_model_once(frames: list[np.ndarray]) -> None:
    once = OncePerFrame(Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, SessionPool(1)))
    first = once.detect(frames[33])
    assert once.detect(frames[33]) is first and once.runs == 1
    assert len(first.xyxy) >= 1  # the walker
    once.detect(frames[34])
    assert once.runs == 2 and once.asked == 3


def test_a_new_frame_in_the_same_buffer_runs_the_model_again(frames: list[np.ndarray]) -> None:
    """A reader that decodes into one buffer hands the same array with new pixels."""
    once = OncePerFrame(Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, SessionPool(1)))
    buffer = frames[33].copy()
    near = once.detect(buffer).xyxy.copy()
    buffer[:] = frames[39]
    far = once.detect(buffer).xyxy
    assert once.runs == 2
    assert not np.array_equal(near, far)


def test_clutter_and_ebike_rules_of_one_camera_share_one_run_per_frame(frames: list[np.ndarray]) -> None:
    camera = CameraConfig.model_validate(CORRIDOR_BOTH)
    clutter, ebike = (entry.analyzer for entry in analyzers_for(camera, EPOCH))
    shared = ebike.detector  # type: ignore[attr-defined]
    assert isinstance(shared, OncePerFrame)
    assert clutter.people.detector is shared  # type: ignore[attr-defined]
    for k, frame in enumerate(frames):
        for analyzer in (clutter, ebike):
            analyzer.process(frame, 0.2 * k)
    # the clutter rule asks only once it has learned the empty corridor and something differs in the lane
    assert shared.asked >= len(frames) + 5
    assert shared.runs == len(frames)


def test_the_agent_gives_both_rules_of_a_camera_one_run_per_frame(tmp_path: Path) -> None:
    from edge.agent import BuiltinAnalyzers
    from edge.config import AgentConfig

    camera = CORRIDOR_BOTH
    config = AgentConfig.model_validate(
        {
            "agent_id": "nvr-1",
            "kafka": {"bootstrap": "127.0.0.1:9"},
            "outbox": {"path": str(tmp_path / "outbox.db")},
            "detectors": {
                "manifests": {"indoor": str(DEFAULT_INDOOR_MANIFEST)},
                "ebike_model": "indoor",
                "clutter_people_model": "indoor",
            },
            "cameras": [camera],
        }
    )
    builtin = BuiltinAnalyzers(config, SessionPool(1))
    first = builtin(CameraConfig.model_validate(camera), EPOCH)
    second = builtin(CameraConfig.model_validate({**camera, "id": "cam-corridor-2"}), EPOCH)
    for clutter, ebike in (first, second):
        assert clutter.people.detector is ebike.detector  # type: ignore[attr-defined]
        assert ebike.detector.detector is builtin.detectors["indoor"]  # type: ignore[attr-defined]
    # each camera remembers its own frame; the model session is the agent's one
    assert first[1].detector is not second[1].detector  # type: ignore[attr-defined]
