"""The models committed under models/: each manifest's sha256 is the file's, and a changed file is refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from edge.analyzers import DEFAULT_INDOOR_MANIFEST
from edge.detect.errors import ModelError
from edge.detect.manifest import ModelCard, load_checked, load_manifest
from edge.detect.runtime import Detector, SessionPool
from edge.detect.silhouette import SilhouetteManifest

MODELS = Path(__file__).resolve().parents[2] / "models"
MANIFESTS = sorted(p for p in MODELS.glob("*/*.yaml") if not p.name.endswith(".card.yaml"))
MAX_BYTES = 10 * 1024 * 1024


def test_models_are_shipped() -> None:
    names = [p.name for p in MANIFESTS]
    assert DEFAULT_INDOOR_MANIFEST.name in names, names
    assert {"indoor-det-320.yaml", "indoor-det-640.yaml"} <= set(names)  # the latency table's sizes


@pytest.mark.parametrize("manifest_path", [pytest.param(p, id=p.stem) for p in MANIFESTS])
def test_manifest_sha256_matches_the_committed_file(manifest_path: Path) -> None:
    card: ModelCard | None
    if manifest_path.parent.name == "silhouette":  # person silhouettes, not a detector
        outlines, model_path = load_checked(SilhouetteManifest, manifest_path)
        sha256, card = outlines.sha256, outlines.card
    else:
        manifest, model_path = load_manifest(manifest_path)
        sha256, card = manifest.sha256, manifest.card
    assert sha256 == hashlib.sha256(model_path.read_bytes()).hexdigest()
    assert model_path.stat().st_size <= MAX_BYTES
    assert card is not None and "generated" in card.summary


def test_a_tampered_model_is_refused_naming_the_checksum(tmp_path: Path) -> None:
    source = DEFAULT_INDOOR_MANIFEST
    manifest, model_path = load_manifest(source)
    shutil.copy(source, tmp_path / source.name)
    data = bytearray(model_path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one weight
    (tmp_path / manifest.file).write_bytes(bytes(data))
    with pytest.raises(ModelError) as err:
        Detector.from_manifest(tmp_path / source.name, SessionPool(1))
    assert err.value.check == "checksum"
    assert "sha256" in str(err.value) and manifest.sha256 in str(err.value)


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    source = DEFAULT_INDOOR_MANIFEST
    shutil.copy(source, tmp_path / source.name)
    with pytest.raises(ModelError) as err:
        Detector.from_manifest(tmp_path / source.name, SessionPool(1))
    assert err.value.check == "missing_file"
