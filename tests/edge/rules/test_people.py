"""People's boxes for the clutter rule: the shipped detector on rendered corridor frames, and the mask."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST
from edge.detect import Detector, SessionPool
from edge.detect.detections import Detections
from edge.rules.people import (
    DetectedPeople,
    NoPersonClass,
    PeopleHold,
    PeopleParams,
    blend_distance,
    distinct_edge,
    mixed_edge,
    people_mask,
    silhouette_layers,
)
from edge.synth.corridor_draw import CorridorRenderer
from edge.synth.corridor_scene import CorridorScene, Lighting, Walker, project
from sharpeyes.timefmt import EPOCH


@pytest.fixture(scope="module")
def shipped() -> Detector:
    return Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, SessionPool())


def corridor_frame(walkers: list[Walker], t: float) -> np.ndarray:
    still = Lighting(0.0, 60.0, 0.0, 0.0, 80.0, 3.0)
    scene = CorridorScene(duration_s=10.0, fps=10.0, dwell_s=20.0, lighting=still, walkers=walkers)
    return CorridorRenderer(scene, seed=5).frame(t)


@pytest.mark.parametrize("z_m", [4.0, 8.0, 13.0])
def test_shipped_model_finds_a_person_walking_down_the_corridor(shipped: Detector, z_m: float) -> None:
    """The person at ``z_m`` metres (13 m: far end, about 45 px tall) is found where they stand."""
    walker = Walker(enter_s=0.0, z_from=z_m - 1.0, z_to=19.0, x_m=0.4, speed=1.0, color=(0, 0, 0))
    boxes = DetectedPeople(shipped).boxes(corridor_frame([walker], 1.0))
    feet_x, feet_y = project(0.4, 0.0, z_m)
    _, head_y = project(0.4, 1.7, z_m)
    hits = [b for b in boxes if b[0] <= feet_x <= b[2] and b[1] - 4 <= head_y + 10 and b[3] + 4 >= feet_y]
    assert len(hits) == 1, boxes


def test_no_person_in_an_empty_corridor(shipped: Detector) -> None:
    assert len(DetectedPeople(shipped).boxes(corridor_frame([], 1.0))) == 0


class NoPeopleModel:
    @property
    def class_names(self) -> list[str]:
        return ["ebike", "bicycle"]

    def detect(self, frame: np.ndarray) -> Detections:
        return Detections.empty()


def test_a_model_without_a_person_class_is_refused_by_name() -> None:
    with pytest.raises(NoPersonClass, match="no person class among"):
        DetectedPeople(NoPeopleModel())


def test_mask_covers_each_box_scaled_and_grown_by_its_height() -> None:
    mask = people_mask(np.array([[100, 40, 120, 140]], np.float32), (90, 160), 0.5, 0.1)
    ys, xs = np.nonzero(mask)
    # 10 px margin at full size (a tenth of 100 px), halved with the picture
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (45, 65, 15, 75)
    assert not people_mask(np.zeros((0, 4), np.float32), (90, 160), 0.5, 0.1).any()


CORRIDOR_CAMERA = {
    "id": "cam-corridor-1",
    "kind": "corridor",
    "source": "corridor.mp4",
    "detectors": ["corridor_clutter"],
    "fps": 5,
    "zones": [{"name": "fire_lane", "polygon": [[0, 100], [640, 100], [640, 360], [0, 360]], "dwell_s": 20}],
}


def agent_config(tmp_path: Path, detectors: dict[str, object]) -> dict[str, object]:
    return {
        "agent_id": "nvr-1",
        "kafka": {"bootstrap": "127.0.0.1:9"},
        "outbox": {"path": str(tmp_path / "outbox.db")},
        "detectors": detectors,
        "cameras": [CORRIDOR_CAMERA],
    }


class KnownChances:
    """A silhouette model that gives the chances it was handed (``PeopleShapes``)."""

    threshold = 0.5

    def __init__(self, chances: np.ndarray) -> None:
        self.chances = chances

    def mask(self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float) -> np.ndarray:
        return np.asarray(self.chances > self.threshold, bool)

    def chances_at(
        self, frame: np.ndarray, boxes: np.ndarray, shape: tuple[int, int], scale: float
    ) -> np.ndarray:
        return self.chances


def test_the_silhouette_mask_grown_where_unsure_covers_blurred_edges_not_a_gap_between_legs() -> None:
    """Two legs (chance 0.9) a pixel apart, their outer edges blurred (0.3): with ``grow_chance`` the mask
    grows a pixel over the edges and leaves the gap the model is sure is free (0.02) open; grown into
    every pixel (None, the rule up to session 25) it shuts the gap."""
    chances = np.zeros((6, 9), np.float32)
    chances[:, [2, 3, 5, 6]] = 0.9  # the legs
    chances[:, 4] = 0.02  # between them
    chances[:, [1, 7]] = 0.3  # their outer edges
    frame, boxes = np.zeros((6, 9, 3), np.uint8), np.zeros((1, 4), np.float32)
    shapes = KnownChances(chances)
    mask = silhouette_layers(shapes, frame, boxes, (6, 9), 1.0, grow_px=1, grow_chance=0.1).mask
    assert mask[:, 1:4].all() and mask[:, 5:8].all()
    assert not mask[:, 4].any() and not mask[:, [0, 8]].any()
    assert silhouette_layers(shapes, frame, boxes, (6, 9), 1.0, grow_px=1).mask[:, 1:8].all()


@pytest.mark.parametrize("grow_chance", [0.1, None])
def test_the_silhouettes_ungrown_are_what_the_model_is_sure_of_whichever_way_the_mask_grows(
    grow_chance: float | None,
) -> None:
    """The look-back's mask (``silhouette_layers``' sure pixels): the legs the model is sure of, with the gap
    between them and the blurred edges open, however the rule's own mask is grown around them."""
    chances = np.zeros((6, 9), np.float32)
    chances[:, [2, 3, 5, 6]] = 0.9
    chances[:, 4] = 0.02
    chances[:, [1, 7]] = 0.3
    frame, boxes = np.zeros((6, 9, 3), np.uint8), np.zeros((1, 4), np.float32)
    layers = silhouette_layers(KnownChances(chances), frame, boxes, (6, 9), 1.0, 1, grow_chance)
    mask, core = layers.mask, layers.sure
    assert core.tolist() == (chances > 0.5).tolist()
    assert mask[core].all() and mask[:, 1].all() and not core[:, [1, 4, 7]].any()


def test_surely_a_person_is_above_sure_chance_and_the_mask_is_grown_as_without_it() -> None:
    """``sure_chance``: the look-back skips only what the model is surer of than its own threshold (a leg's
    middle, 0.97, not its edge, 0.6); the rule's mask is the same either way."""
    chances = np.zeros((6, 9), np.float32)
    chances[:, [2, 6]] = 0.6
    chances[:, [3, 5]] = 0.97
    chances[:, 4] = 0.02
    frame, boxes = np.zeros((6, 9, 3), np.uint8), np.zeros((1, 4), np.float32)
    shapes = KnownChances(chances)
    layers = silhouette_layers(shapes, frame, boxes, (6, 9), 1.0, 1, 0.1, sure_chance=0.9)
    mask, sure = layers.mask, layers.sure
    assert sure.tolist() == (chances > 0.9).tolist() and sure[:, [3, 5]].all()
    assert mask.tolist() == silhouette_layers(shapes, frame, boxes, (6, 9), 1.0, 1, 0.1).mask.tolist()


FLOOR = np.array([110.0, 120.0, 130.0], np.float32)  # BGR, the empty corridor
TROUSERS = np.array([40.0, 40.0, 200.0], np.float32)  # red
PURPLE = np.array([160.0, 40.0, 150.0], np.float32)


@pytest.fixture
def leg_on_floor() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A red leg (columns 3-4, the model sure of it) on the empty floor, 6 x 10 analysis pixels: the image,
    the empty corridor, and the leg's pixels."""
    empty = np.broadcast_to(FLOOR, (6, 10, 3)).copy()
    image = empty.copy()
    leg = np.zeros((6, 10), bool)
    leg[:, 3:5] = True
    image[leg] = TROUSERS
    return image, empty, leg


def test_pixels_beside_a_person_mixing_them_with_the_floor_are_their_edge(
    leg_on_floor: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Beside the leg: a pixel a third trousers and two thirds floor (its blurred edge), and the bare floor,
    are mixes; one two pixels off with reach 1 is not looked at; the leg itself is not part of its edge."""
    image, empty, leg = leg_on_floor
    image[:, 5] = FLOOR + (TROUSERS - FLOOR) / 3 + np.array([3.0, -4.0, 2.0], np.float32)  # noise
    edge = mixed_edge(image, empty, leg, leg, reach=1, tolerance=10.0)
    assert edge[:, 5].all() and edge[:, 2].all()
    assert not edge[:, 6].any() and not edge[leg].any()
    assert mixed_edge(image, empty, leg, leg, reach=2, tolerance=10.0)[:, 6].all()


def test_an_item_beside_a_person_is_no_mix_even_where_the_model_took_some_of_it_for_them(
    leg_on_floor: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """A purple item against the leg (columns 5-6) is no mix of red trousers and the floor, so the mask does
    not grow over it; where the model took a pixel of it for the person (in ``core``, not ``sure``), the
    item's other pixels are not taken for that pixel's edge either."""
    image, empty, leg = leg_on_floor
    image[:, 5:7] = PURPLE
    core = leg.copy()
    core[2, 5] = True  # the model's chance above its threshold there, not sure
    edge = mixed_edge(image, empty, core, leg, reach=2, tolerance=10.0)
    assert not edge[:, 5:7].any()
    assert edge[:, 1:3].all()  # the floor on the leg's other side
    assert mixed_edge(image, empty, core, core, reach=2, tolerance=10.0)[[1, 3], 5].all()  # were it sure


def test_of_a_grown_edge_what_is_of_its_own_colour_or_beside_no_sure_person_is_given_back(
    leg_on_floor: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """The mask grown round the leg covers its blurred edge (column 5), a purple item (columns 6-7) and the
    bare floor (columns 1-2). The blurred edge and the floor blend the leg's colour with the floor's and
    stay masked; the item is given back, also its column three pixels from the leg, where no pixel
    surely the person lies within reach; a tolerance above any colour gives nothing back."""
    image, empty, leg = leg_on_floor
    image[:, 5] = FLOOR + (TROUSERS - FLOOR) / 3 + np.array([3.0, -4.0, 2.0], np.float32)
    image[:, 6:8] = PURPLE
    grown = np.zeros_like(leg)
    grown[:, 1:3] = grown[:, 5:8] = True
    given_back = distinct_edge(image, empty, grown, leg, reach=2, tolerance=20.0)
    assert given_back[:, 6:8].all()
    assert not given_back[:, [1, 2, 5]].any() and not given_back[leg].any()
    near = distinct_edge(image, empty, grown, leg, reach=4, tolerance=20.0)  # column 7 judged as column 6
    assert near[:, 6:8].all() and not near[:, [1, 2, 5]].any()
    assert not distinct_edge(image, empty, grown, leg, reach=2, tolerance=500.0)[:, [1, 2, 5, 6]].any()
    assert distinct_edge(image, empty, grown, np.zeros_like(leg), reach=2, tolerance=20.0)[grown].all()


@pytest.mark.parametrize("reach", [1, 2, 3])
def test_the_blend_distance_is_the_nearest_segment_to_a_sure_neighbour_within_reach(reach: int) -> None:
    """``blend_distance`` takes every neighbour at once; pixel by pixel it is the worst channel's distance
    from the pixel's colour to the segment between the empty corridor's colour there and a sure
    neighbour's within reach (inside the frame), the nearest such segment, and inf with none."""
    rng = np.random.default_rng(reach)
    empty = rng.uniform(60, 140, (12, 16, 3)).astype(np.float32)
    image = np.clip(empty + rng.normal(0, 30, empty.shape), 0, 255).astype(np.float32)
    sure = rng.random((12, 16)) < 0.08
    band = (rng.random((12, 16)) < 0.5) & ~sure
    ys, xs, best = blend_distance(image, empty, band, sure, reach)
    assert np.array_equal(np.stack([ys, xs], 1), np.argwhere(band))
    for y, x, got in zip(ys, xs, best, strict=True):
        off = image[y, x].astype(float) - empty[y, x]
        want = np.inf
        for ny in range(max(0, y - reach), min(12, y + reach + 1)):
            for nx in range(max(0, x - reach), min(16, x + reach + 1)):
                if sure[ny, nx]:
                    towards = image[ny, nx].astype(float) - empty[y, x]
                    share = min(1.0, max(0.0, off @ towards / max(towards @ towards, 1.0)))
                    want = min(want, float(np.abs(off - share * towards).max()))
        assert got == pytest.approx(want, abs=1e-3), (y, x)
    assert np.isinf(best).any() and np.isfinite(best).any()  # pixels with and without a sure neighbour


def test_a_person_the_detector_loses_is_held_where_they_stood_for_hold_s() -> None:
    hold = PeopleHold(PeopleParams(hold_s=2.0))
    talker = np.array([[100.0, 50.0, 130.0, 150.0]], np.float32)
    assert hold.update(talker, 10.0).tolist() == talker.tolist()
    # half hidden behind a passer-by, the talker is not found for 2 s: still there
    passer = np.array([[60.0, 40.0, 110.0, 200.0]], np.float32)
    for t in (10.2, 11.0, 12.0):
        boxes = hold.update(passer, t)
        assert talker.tolist()[0] in boxes.tolist(), t
        assert passer.tolist()[0] in boxes.tolist(), t
    # not seen for longer than hold_s: gone
    assert hold.update(passer, 12.2).tolist() == passer.tolist()


def test_a_person_walking_on_is_not_held_at_the_spot_they_left() -> None:
    hold = PeopleHold(PeopleParams(hold_s=2.0))
    box = np.array([100.0, 50.0, 130.0, 150.0], np.float32)
    step = np.array([3.0, 4.0, 3.0, 6.0], np.float32)  # walking towards the camera: one box a frame
    for k in range(5):
        boxes = hold.update((box + k * step)[None], 10.0 + 0.2 * k)
        assert boxes.tolist() == [(box + k * step).tolist()], k
    assert hold.update(np.zeros((0, 4), np.float32), 11.2).tolist() == [(box + 4 * step).tolist()]


def scene(*people: tuple[int, int, int, int]) -> np.ndarray:
    """A grey floor with people drawn as dark blocks (x1, y1, x2, y2), in the rule's float image."""
    image = np.full((120, 200, 3), 110.0, np.float32)
    for x1, y1, x2, y2 in people:
        image[y1:y2, x1:x2] = (40.0, 60.0, 150.0)
    return image


TALKER = (100, 20, 130, 100)


def talker_found(hold: PeopleHold, frames: int) -> float:
    """The talker is found in ``frames`` frames (0.2 s apart) from 10 s; the time of the next frame."""
    t = 10.0
    for _ in range(frames):
        hold.update(np.array([TALKER], np.float32), t, scene(TALKER))
        t = round(t + 0.2, 3)
    return t


def lost_after(found_frames: int, then: np.ndarray, until_s: float) -> np.ndarray:
    """The talker is found in ``found_frames`` frames (0.2 s apart) from 10 s, then lost while the image
    is ``then``; the boxes held at ``until_s``."""
    hold = PeopleHold(PeopleParams(hold_s=2.0))
    t = talker_found(hold, found_frames)
    held = hold.update(np.zeros((0, 4), np.float32), t, then)
    while t < until_s:
        t = round(t + 0.2, 3)
        held = hold.update(np.zeros((0, 4), np.float32), t, then)
    return held


def test_a_lost_person_still_standing_there_is_held_while_their_box_shows_the_same() -> None:
    assert lost_after(5, scene(TALKER), until_s=30.0).tolist() == [list(map(float, TALKER))]


def test_a_lost_person_whose_box_shows_something_else_is_held_only_hold_s() -> None:
    gone = scene()  # they walked off: their box shows the floor
    assert len(lost_after(5, gone, until_s=12.8)) == 1
    assert len(lost_after(5, gone, until_s=14.0)) == 0


def test_a_lost_person_someone_walks_in_front_of_is_held_while_they_cover_them() -> None:
    """Regression (tuning clip 33-0): a talker the detector lost while a passer-by walked in front of him
    was dropped, his box showing the passer-by, not him; his pixels showed "with nobody over them" and
    stood like a thing. Someone found over a lost person's box says nothing of whether they still stand
    there."""
    hold = PeopleHold(PeopleParams(hold_s=2.0))
    t = talker_found(hold, 5)
    # a passer-by crosses in front for 4 s (twice hold_s), slowly, covering a third of the talker's box
    passer = (90, 10, 112, 110)
    seen = scene(TALKER)
    seen[10:110, 90:112] = (170.0, 150.0, 60.0)  # in other clothes
    held = hold.update(np.array([passer], np.float32), t, seen)
    while t < 15.0:
        t = round(t + 0.2, 3)
        held = hold.update(np.array([passer], np.float32), t, seen)
        assert list(map(float, TALKER)) in held.tolist(), t
    # the passer-by has gone (held hold_s where he was last found) and the talker is still lost: held
    # while his box shows him, as before
    for _ in range(12):
        t = round(t + 0.2, 3)
        held = hold.update(np.zeros((0, 4), np.float32), t, scene(TALKER))
    assert held.tolist() == [list(map(float, TALKER))]


def test_a_lost_person_only_grazed_by_someone_found_is_held_only_hold_s() -> None:
    """Only a box covering ``in_front`` of the lost one stands for someone in front of them."""
    hold = PeopleHold(PeopleParams(hold_s=2.0))
    t = talker_found(hold, 5)
    grazing = (126, 10, 160, 110)  # 4 of the talker's 30 columns
    while t < 15.0:
        held = hold.update(np.array([grazing], np.float32), t, scene(grazing))
        t = round(t + 0.2, 3)
    assert held.tolist() == [list(map(float, grazing))]


def test_a_box_found_in_a_frame_or_two_is_not_held_for_looking_the_same() -> None:
    """A stray person box on an item would hide the item as long as it stands: held only hold_s."""
    assert len(lost_after(2, scene(TALKER), until_s=14.0)) == 0


def test_the_agent_masks_people_with_the_model_its_config_names(tmp_path: Path) -> None:
    from edge.agent import BuiltinAnalyzers
    from edge.config import AgentConfig
    from edge.rules.clutter import ClutterRule
    from sharpeyes.config import CameraConfig

    manifests = {"indoor": str(DEFAULT_INDOOR_MANIFEST)}
    outlines = {"clutter_silhouettes": str(DEFAULT_SILHOUETTE_MANIFEST)}
    cases: list[tuple[dict[str, object], bool, bool]] = [
        ({"manifests": manifests, "clutter_people_model": "indoor", **outlines}, True, True),
        ({"manifests": manifests, "clutter_people_model": "indoor"}, True, False),
        ({"manifests": manifests}, False, False),
    ]
    for detectors, masked, outlined in cases:
        config = AgentConfig.model_validate(agent_config(tmp_path, detectors))
        camera = CameraConfig.model_validate(CORRIDOR_CAMERA)
        [rule] = BuiltinAnalyzers(config, SessionPool(1))(camera, EPOCH)
        assert isinstance(rule, ClutterRule)
        assert (rule.people is not None) is masked
        assert (rule.silhouettes is not None) is outlined


def test_the_agent_analyses_clutter_at_the_width_its_config_names(tmp_path: Path) -> None:
    """``detectors.clutter_width`` trades finding items between people's legs (480) for cost (320)."""
    from pydantic import ValidationError

    from edge.agent import BuiltinAnalyzers
    from edge.config import AgentConfig
    from edge.rules.clutter import ClutterParams, ClutterRule
    from sharpeyes.config import CameraConfig

    camera = CameraConfig.model_validate(CORRIDOR_CAMERA)
    for detectors, params in (({}, ClutterParams()), ({"clutter_width": 320}, ClutterParams.at_width(320))):
        config = AgentConfig.model_validate(agent_config(tmp_path, detectors))
        [rule] = BuiltinAnalyzers(config, SessionPool(1))(camera, EPOCH)
        assert isinstance(rule, ClutterRule)
        assert rule.params == params
    with pytest.raises(ValidationError, match="clutter_width"):
        AgentConfig.model_validate(agent_config(tmp_path, {"clutter_width": 100}))


def test_an_agent_config_with_silhouettes_but_no_people_model_is_refused(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from edge.config import AgentConfig

    doc = agent_config(tmp_path, {"clutter_silhouettes": str(DEFAULT_SILHOUETTE_MANIFEST)})
    with pytest.raises(ValidationError, match="clutter_silhouettes needs clutter_people_model"):
        AgentConfig.model_validate(doc)


def test_an_agent_config_naming_an_unknown_people_model_is_refused_by_field(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from edge.config import AgentConfig

    doc = agent_config(tmp_path, {"manifests": {}, "clutter_people_model": "yolo"})
    with pytest.raises(ValidationError, match="clutter_people_model 'yolo' is not one of manifests"):
        AgentConfig.model_validate(doc)


def test_scan_masks_people_by_default_and_names_the_model_in_its_alerts() -> None:
    from edge.analyzers import analyzers_for
    from sharpeyes.config import CameraConfig

    camera = CameraConfig.model_validate(CORRIDOR_CAMERA)
    [masked] = analyzers_for(camera)
    [boxes] = analyzers_for(camera, silhouettes=None)
    [free] = analyzers_for(camera, clutter_people=False)
    assert masked.model.name == "sharpeyes-clutter-occupancy+silhouettes"
    assert boxes.model.name == "sharpeyes-clutter-occupancy+people"
    assert free.model.name == "sharpeyes-clutter-occupancy"
    assert len({masked.model.sha256, boxes.model.sha256, free.model.sha256}) == 3
