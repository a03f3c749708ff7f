"""The indoor object renderers: every class draws, boxes are the visible part, the corridor camera."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.synth.camera3d import PinholeCamera
from edge.synth.corridor_scene import project
from edge.synth.indoor_compose import paint
from edge.synth.indoor_objects import CLASSES, Placed, sample_thing
from edge.synth.stills import corridor_camera

CAMERA = PinholeCamera.looking_at((2.2, 2.0, -2.2), (0.0, 0.5, 0.0), 420, (320, 320))


def test_the_class_order_is_the_model_interface() -> None:
    assert CLASSES == ("ebike", "bicycle", "stroller", "person", "box", "bag", "furniture")


@pytest.mark.parametrize("cls", [pytest.param(c, id=c) for c in CLASSES])
@pytest.mark.parametrize(
    "yaw", [pytest.param(y, id=f"yaw{y:.1f}") for y in (0.0, math.pi / 4, math.pi / 2, 2.5)]
)
def test_every_class_draws_a_solid_thing_in_view(cls: str, yaw: float) -> None:
    image = np.zeros((320, 320, 3), np.uint8)
    [seen] = paint(image, CAMERA, [Placed(sample_thing(cls, np.random.default_rng(3)), 0.0, 0.0, yaw)])
    x1, y1, x2, y2 = seen.bbox
    assert seen.fraction == 1.0 and seen.labelled
    assert 0 <= x1 < x2 <= 320 and 0 <= y1 < y2 <= 320
    assert (x2 - x1) * (y2 - y1) > 600  # a thing at 3 m with a 420 px lens is not a speck
    assert np.count_nonzero(image[y1:y2, x1:x2].any(axis=2)) > 0.2 * (x2 - x1) * (y2 - y1)


def test_things_differ_in_size_as_real_ones_do() -> None:
    rng = np.random.default_rng(0)
    ebike, bicycle = sample_thing("ebike", rng), sample_thing("bicycle", rng)
    assert 0.17 < ebike.wheel_r < 0.21 and 0.32 <= bicycle.wheel_r <= 0.36  # type: ignore[attr-defined]
    assert ebike.section > 2 * bicycle.section * 0.6  # type: ignore[attr-defined]  # thick tyres


def test_a_thing_behind_a_person_gets_the_box_of_what_is_still_visible() -> None:
    rng = np.random.default_rng(1)
    box = Placed(sample_thing("box", rng), 0.0, 0.6, 0.0)
    alone = paint(np.zeros((320, 320, 3), np.uint8), CAMERA, [box])[0]
    person = Placed(sample_thing("person", rng), 0.45, 0.15, 0.0)
    hidden, front = paint(np.zeros((320, 320, 3), np.uint8), CAMERA, [box, person])
    assert front.fraction == 1.0
    assert hidden.fraction < 0.95
    ax1, ay1, ax2, ay2 = alone.bbox
    hx1, hy1, hx2, hy2 = hidden.bbox
    assert ax1 <= hx1 and ay1 <= hy1 and hx2 <= ax2 and hy2 <= ay2


def test_a_thing_wholly_behind_scenery_is_not_labelled() -> None:
    thing = Placed(sample_thing("bag", np.random.default_rng(2)), 0.0, 0.0, 0.0)

    def wall(canvas):  # type: ignore[no-untyped-def]
        canvas.fill(np.array([[0, 0], [320, 0], [320, 320], [0, 320]], float), (90, 90, 90))

    [seen] = paint(np.zeros((320, 320, 3), np.uint8), CAMERA, [thing, wall])
    assert seen.fraction == 0.0 and not seen.labelled


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(-1.4, 1.4),
    z=st.floats(1.0, 12.0),
    yaw=st.floats(0, 2 * math.pi),
    cls=st.sampled_from(CLASSES),
)
def test_visible_boxes_stay_inside_the_picture_even_when_cut_by_its_edge(
    x: float, z: float, yaw: float, cls: str
) -> None:
    camera = corridor_camera()
    image = np.zeros((camera.height, camera.width, 3), np.uint8)
    [seen] = paint(image, camera, [Placed(sample_thing(cls, np.random.default_rng(0)), x, z, yaw)])
    x1, y1, x2, y2 = seen.bbox
    assert 0 <= x1 <= x2 <= camera.width and 0 <= y1 <= y2 <= camera.height
    assert 0.0 <= seen.fraction <= 1.0


@settings(max_examples=50, deadline=None)
@given(x=st.floats(-2, 2), y=st.floats(0, 3), z=st.floats(1, 20))
def test_the_corridor_camera_projects_as_the_corridor_clips_do(x: float, y: float, z: float) -> None:
    px, _ = corridor_camera().project(np.array([[x, y, z]]))
    assert px[0] == pytest.approx(project(x, y, z), abs=1e-6)


def test_a_wall_reaching_behind_the_camera_is_clipped_not_folded() -> None:
    camera = PinholeCamera.looking_at((0.0, 2.0, 0.0), (0.0, 0.0, 2.0), 300, (640, 480))
    wall = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, 3.0], [1.0, 2.5, 3.0], [1.0, 2.5, -1.0]])
    outline = camera.project_polygon(wall)
    assert len(outline) >= 3 and np.all(np.isfinite(outline))
    assert np.all(camera.to_camera(wall)[:, 2].min() < 0)  # the wall does reach behind
    assert camera.project_polygon(wall - [0, 0, 10]).shape == (0, 2)  # wholly behind: nothing
