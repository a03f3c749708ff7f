"""The on-disk snapshot archive behind the evidence links of a Faust deployment."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest

from pipeline.evidence_archive import EvidenceArchive
from sharpeyes.contract import Alert, Evidence
from tests.pipeline.conftest import make_alert
from tests.pipeline.console.conftest import jpeg_b64


def _with_jpeg(alert_id: str, text: str = "SE", sha256: str | None = None) -> tuple[Alert, bytes]:
    b64 = jpeg_b64(text)
    jpeg = base64.b64decode(b64)
    digest = sha256 if sha256 is not None else hashlib.sha256(jpeg).hexdigest()
    alert = make_alert(alert_id, "cam-1").model_copy(
        update={"evidence": Evidence(snapshot_jpeg=b64, sha256=digest)}
    )
    return alert, jpeg


@pytest.fixture
def archive(tmp_path: Path) -> EvidenceArchive:
    return EvidenceArchive.open(tmp_path / "evidence.sqlite")


def test_files_the_snapshot_of_each_alert_once(archive: EvidenceArchive) -> None:
    a, jpeg_a = _with_jpeg("a1", "A")
    b, jpeg_b = _with_jpeg("b1", "B")
    assert archive.file_batch([a.to_bytes(), b.to_bytes(), a.to_bytes()]) == 2  # an edge retry
    assert archive.get("a1") == jpeg_a
    assert archive.get("b1") == jpeg_b
    assert archive.size_bytes == len(jpeg_a) + len(jpeg_b)
    assert archive.get("nope") is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"{not json", id="malformed"),
        pytest.param(make_alert("n1", "cam-1").to_bytes(), id="no-evidence"),
        pytest.param(_with_jpeg("w1", sha256="0" * 64)[0].to_bytes(), id="sha256-mismatch"),
        pytest.param(
            make_alert("t1", "cam-1")
            .model_copy(update={"evidence": Evidence(snapshot_jpeg=base64.b64encode(b"<svg/>").decode())})
            .to_bytes(),
            id="not-a-jpeg",
        ),
    ],
)
def test_what_cannot_be_served_as_the_cameras_picture_is_not_filed(
    archive: EvidenceArchive, raw: bytes
) -> None:
    assert archive.file_batch([raw]) == 0
    assert archive.size_bytes == 0


def test_bounded_oldest_first_and_survives_a_restart(tmp_path: Path) -> None:
    alerts = [_with_jpeg(f"a{i}", f"N{i}") for i in range(6)]
    one = max(len(j) for _, j in alerts)
    path = tmp_path / "evidence.sqlite"
    archive = EvidenceArchive.open(path, max_bytes=3 * one)
    for alert, _ in alerts:
        archive.file_batch([alert.to_bytes()])
    kept = [a.alert_id for a, _ in alerts if archive.get(a.alert_id) is not None]
    assert kept == ["a3", "a4", "a5"]
    assert archive.evicted == 3
    size = archive.size_bytes
    assert size <= 3 * one
    archive.close()

    reopened = EvidenceArchive.open(path, max_bytes=3 * one)
    assert reopened.size_bytes == size
    assert reopened.get("a5") == alerts[5][1]
