"""Which analyzers a camera runs: its config's ``detectors:`` list → analyzers with their identity.

The identity (name, version, sha256 of the exact settings, or of the model file for learned detectors)
goes into every alert's ``agent.model``, so a case can say which detector build raised it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from edge.analyzer import Analyzer
from edge.detect import Detector, SessionPool
from edge.detect.once import OncePerFrame
from edge.detect.silhouette import PersonSilhouettes
from sharpeyes.config import CameraConfig
from sharpeyes.contract import ModelInfo
from sharpeyes.errors import SharpEyesError
from sharpeyes.timefmt import EPOCH

# the shipped reference detector (issue 7), found relative to the repository
DEFAULT_INDOOR_MANIFEST = Path(__file__).resolve().parents[1] / "models" / "indoor" / "indoor-det-512.yaml"
DEFAULT_SILHOUETTE_MANIFEST = (
    Path(__file__).resolve().parents[1] / "models" / "silhouette" / "person-silhouette.yaml"
)


class AnalyzerUnavailableError(SharpEyesError):
    """The camera asks for a detector this build does not include, or whose model is missing."""


@dataclass(frozen=True)
class CameraAnalyzer:
    detector: str  # the name in ``detectors:``
    analyzer: Analyzer
    model: ModelInfo


def _throw(camera: CameraConfig) -> CameraAnalyzer:
    from edge.throw.detector import DETECTOR_NAME, DETECTOR_VERSION, ThrowDetector, ThrowSettings

    settings = ThrowSettings()
    digest = hashlib.sha256(repr(settings).encode("utf-8")).hexdigest()
    return CameraAnalyzer(
        "high_altitude_throw",
        ThrowDetector.for_camera(camera, settings),
        ModelInfo(name=DETECTOR_NAME, version=DETECTOR_VERSION, sha256=digest),
    )


def clutter_identity(
    camera: CameraConfig, people: OncePerFrame | None, silhouettes: PersonSilhouettes | None = None
) -> ModelInfo:
    """The clutter rule's identity: its zones, the person detector it masks people with, if any, and the
    silhouette model that says which pixels of their boxes they show, if any."""
    settings = repr([(z.name, z.polygon, z.dwell_s) for z in camera.zones])
    if people is None:
        digest = hashlib.sha256(settings.encode()).hexdigest()
        return ModelInfo(name="sharpeyes-clutter-occupancy", version="1", sha256=digest)
    m = people.manifest
    identity = f"{settings}|{m.name}|{m.version}|{m.sha256}"
    if silhouettes is None:
        digest = hashlib.sha256(identity.encode()).hexdigest()
        return ModelInfo(name="sharpeyes-clutter-occupancy+people", version="2", sha256=digest)
    s = silhouettes.manifest
    digest = hashlib.sha256(f"{identity}|{s.name}|{s.version}|{s.sha256}".encode()).hexdigest()
    return ModelInfo(name="sharpeyes-clutter-occupancy+silhouettes", version="3", sha256=digest)


def _clutter(
    camera: CameraConfig,
    origin: datetime,
    detector: OncePerFrame | None,
    manifest: Path,
    silhouettes: PersonSilhouettes | None = None,  # only with a detector
) -> CameraAnalyzer:
    from edge.rules.clutter import ClutterRule
    from edge.rules.people import DetectedPeople, NoPersonClass

    finder = None
    if detector is not None:
        try:
            finder = DetectedPeople(detector)
        except NoPersonClass as exc:
            raise AnalyzerUnavailableError(f"camera {camera.id}: model {manifest}: {exc}") from None
    return CameraAnalyzer(
        "corridor_clutter",
        ClutterRule.from_camera(camera, origin=origin, people=finder, silhouettes=silhouettes),
        clutter_identity(camera, detector, silhouettes),
    )


def _detector(camera: CameraConfig, rule: str, manifest: Path, chosen: bool, pool: SessionPool) -> Detector:
    """The model of ``manifest`` (``chosen``: named by the caller, else the shipped one), checked."""
    if not manifest.is_file():
        where = "the model manifest" if chosen else "the reference model manifest"
        raise AnalyzerUnavailableError(
            f"camera {camera.id}: {rule} needs a detector model; {where} {manifest} does not exist "
            f"(pass --model MANIFEST)"
        )
    return Detector.from_manifest(manifest, pool)  # ModelError on a bad manifest, file or checksum


def _ebike(camera: CameraConfig, detector: OncePerFrame, manifest: Path) -> CameraAnalyzer:
    from edge.rules.ebike import EbikeRule, NoEbikeClass

    try:
        rule = EbikeRule.from_camera(camera, detector)
    except NoEbikeClass as exc:
        raise AnalyzerUnavailableError(f"camera {camera.id}: model {manifest}: {exc}") from None
    m = detector.manifest
    return CameraAnalyzer("ebike_indoor", rule, ModelInfo(name=m.name, version=m.version, sha256=m.sha256))


def throw_analyzer(camera: CameraConfig) -> Analyzer:
    """The throw detector for one facade camera (the agent's factory uses this too)."""
    return _throw(camera).analyzer


def analyzers_for(
    camera: CameraConfig,
    origin: datetime = EPOCH,
    model: Path | None = None,
    pool: SessionPool | None = None,
    clutter_people: bool = True,
    silhouettes: Path | None = DEFAULT_SILHOUETTE_MANIFEST,
) -> list[CameraAnalyzer]:
    """One analyzer per entry of ``camera.detectors``, in that order. ``origin`` is the wall time of
    frame 0 (clutter alerts carry an absolute ``since``). ``ebike_indoor`` runs the detector of the
    manifest ``model``, by default the shipped reference model (``DEFAULT_INDOOR_MANIFEST``); its name,
    version and sha256 are the alerts' model identity. ``corridor_clutter`` masks people with that
    model's person class unless ``clutter_people`` is false (model-free), and only the pixels the
    silhouette model of ``silhouettes`` says people show (None: their whole boxes). Every frame the scan
    samples goes to the detector (no motion gate: an offline scan has the time), once for both rules."""
    out: list[CameraAnalyzer] = []
    manifest = model if model is not None else DEFAULT_INDOOR_MANIFEST
    pool = pool or SessionPool()  # one for the camera's detector and silhouette model
    # one checked model for both rules of a camera, run once per frame for both
    loaded: dict[Path, OncePerFrame] = {}

    def detector(rule: str) -> OncePerFrame:
        if manifest not in loaded:
            checked = _detector(camera, rule, manifest, model is not None, pool)
            loaded[manifest] = OncePerFrame(checked)
        return loaded[manifest]

    for name in camera.detectors:
        if name == "high_altitude_throw":
            out.append(_throw(camera))
        elif name == "corridor_clutter":
            people = detector("corridor_clutter") if clutter_people else None
            shapes = None
            if people is not None and silhouettes is not None:
                shapes = PersonSilhouettes.from_manifest(silhouettes, pool)
            out.append(_clutter(camera, origin, people, manifest, shapes))
        elif name == "ebike_indoor":
            out.append(_ebike(camera, detector("ebike_indoor"), manifest))
        else:  # the config model refuses unknown names; this guards a new name added there only
            raise AnalyzerUnavailableError(f"camera {camera.id}: unknown detector {name!r}")
    return out
