"""Which analyzers a camera runs: its config's ``detectors:`` list → analyzers with their identity.

The identity (name, version, sha256 of the exact settings, or of the model file for learned detectors)
goes into every alert's ``agent.model``, so a case can say which detector build raised it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from edge.analyzer import Analyzer
from sharpeyes.config import CameraConfig
from sharpeyes.contract import ModelInfo
from sharpeyes.errors import SharpEyesError


class AnalyzerUnavailableError(SharpEyesError):
    """The camera asks for a detector this build does not include."""


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


_NOT_IN_THIS_BUILD = {"corridor_clutter", "ebike_indoor"}


def analyzers_for(camera: CameraConfig) -> list[CameraAnalyzer]:
    """One analyzer per entry of ``camera.detectors``, in that order."""
    out: list[CameraAnalyzer] = []
    for name in camera.detectors:
        if name == "high_altitude_throw":
            out.append(_throw(camera))
        elif name in _NOT_IN_THIS_BUILD:
            raise AnalyzerUnavailableError(
                f"camera {camera.id}: detector {name!r} is not available in this build "
                f"(available: high_altitude_throw)"
            )
        else:  # the config model refuses unknown names; this guards a new name added there only
            raise AnalyzerUnavailableError(f"camera {camera.id}: unknown detector {name!r}")
    return out
