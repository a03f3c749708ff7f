"""The person silhouette model: its manifest checks, crop geometry, and what it finds on rendered frames."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST
from edge.detect import Detector, ModelError, SessionPool
from edge.detect.manifest import sha256_of
from edge.detect.silhouette import PersonSilhouettes, crop, crop_window, paste, paste_chances
from edge.rules.people import DetectedPeople, people_mask
from edge.synth.corridor import corridor_scene
from edge.synth.corridor_draw import CorridorRenderer
from edge.synth.corridor_scene import H, W


@pytest.fixture(scope="module")
def pool() -> SessionPool:
    return SessionPool()


@pytest.fixture(scope="module")
def silhouettes(pool: SessionPool) -> PersonSilhouettes:
    return PersonSilhouettes.from_manifest(DEFAULT_SILHOUETTE_MANIFEST, pool)


def copied(tmp_path: Path) -> Path:
    """The shipped manifest and model, copied where a test may spoil them."""
    shutil.copy(DEFAULT_SILHOUETTE_MANIFEST, tmp_path)
    doc = yaml.safe_load(DEFAULT_SILHOUETTE_MANIFEST.read_text(encoding="utf-8"))
    shutil.copy(DEFAULT_SILHOUETTE_MANIFEST.parent / doc["file"], tmp_path)
    return tmp_path / DEFAULT_SILHOUETTE_MANIFEST.name


@pytest.mark.parametrize("case", ["missing_file", "checksum", "shape"])
def test_manifest_problems_name_the_check(tmp_path: Path, case: str) -> None:
    manifest = copied(tmp_path)
    doc = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    model = tmp_path / doc["file"]
    if case == "missing_file":
        model.unlink()
    elif case == "checksum":
        model.write_bytes(model.read_bytes() + b"\0")
    else:  # a model exported for other crops than the manifest says
        doc["input_size"] = [48, 64]
        doc["sha256"] = sha256_of(model)
        manifest.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        PersonSilhouettes.from_manifest(manifest, SessionPool())
    assert err.value.check == case
    if case == "shape":
        assert "is not [batch, 3, 64, 48]" in str(err.value)


def test_crops_and_pastes_reach_past_the_frame_edge() -> None:
    image = np.full((20, 30, 3), 200, np.uint8)
    window = crop_window(np.array([-5, 2, 5, 12], np.float32), margin=0.1)  # 1 px margin
    assert window == (-6, 1, 6, 13)
    cut = crop(image, window, (12, 12))
    assert (cut[:, :6] == 0).all() and (cut[:, 6:] == 200).all()  # left of the frame is black
    mask = np.zeros((20, 30), bool)
    paste(mask, window, np.ones((4, 4), bool))
    assert mask[1:13, 0:6].all() and mask.sum() == 12 * 6


def test_a_crop_pasted_by_area_reads_a_thin_gap_between_legs_as_free() -> None:
    """Shrunk by area, a two-pixel gap in an 8-pixel-wide crop is one free pixel at half size; sampling
    keeps or loses it by chance. Where windows meet, the larger chance stays."""
    legs = np.ones((8, 8), np.float32)
    legs[:, 2:4] = 0.0
    chances = np.zeros((4, 6), np.float32)
    chances[:, 5] = 0.7
    paste_chances(chances, (0, 0, 4, 4), legs)
    assert (chances[:, 1] == 0.0).all() and (chances[:, [0, 2, 3]] == 1.0).all()
    paste_chances(chances, (4, 0, 6, 4), np.full((2, 2), 0.4, np.float32))
    assert (chances[:, 4] == np.float32(0.4)).all() and (chances[:, 5] == np.float32(0.7)).all()


@pytest.mark.slow
def test_on_rendered_corridor_frames_it_keeps_people_and_frees_the_rest_of_their_boxes(
    pool: SessionPool, silhouettes: PersonSilhouettes
) -> None:
    """Frames of a scene it was not trained on (seed 9; training used 201-206): of the person pixels
    inside the detector's boxes nearly all stay masked, and the mask is a third or so of the boxes."""
    people = DetectedPeople(Detector.from_manifest(DEFAULT_INDOOR_MANIFEST, pool))
    scene = corridor_scene(9, 0, 3, 150.0, 20.0)
    renderer = CorridorRenderer(scene, 9000)
    kept, share = [], []
    for t in np.arange(10.0, 150.0, 4.0):
        frame = renderer.frame(float(t))
        boxes = people.boxes(frame)
        truth = renderer.people(float(t))
        boxed = people_mask(boxes, (H, W), 1.0, silhouettes.manifest.margin)
        if (truth & boxed).sum() < 200:
            continue
        mask = silhouettes.mask(frame, boxes, (H, W), 1.0)
        kept.append((mask & truth & boxed).sum() / (truth & boxed).sum())
        share.append(mask.sum() / boxed.sum())
    assert len(kept) >= 15
    assert np.median(kept) >= 0.93 and np.quantile(kept, 0.1) >= 0.85
    assert np.median(share) <= 0.45
