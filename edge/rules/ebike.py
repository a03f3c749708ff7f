"""``ebike_indoor``: an e-bike in a lift or corridor zone, seen in k of the last n analysed frames.

Works with any model whose manifest has an e-bike class (``ebike``, ``e-bike``, ``electric_bicycle``, or
names given explicitly). Detections are tracked (``IouTracker``) so one e-bike raises one alert, at the
moment it is confirmed. A detection counts for a zone when the bottom centre of its box (where it stands)
is inside the zone polygon. The motion gate skips the detector on still frames; a skipped frame is not
counted as a miss, and a periodic stationary check still looks at a parked e-bike.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from edge.analyzer import AlertDraft
from edge.detect.decode import iou_matrix
from edge.detect.detections import Detections
from edge.evidence import snapshot
from edge.motion import MotionGate
from edge.tracking import IouTracker, Track, TrackerParams
from sharpeyes.config import CameraConfig, Zone
from sharpeyes.contract import AlertKind, Severity
from sharpeyes.contract.alert import GenericAttributes

EBIKE_NAMES = frozenset(
    {"ebike", "e-bike", "e_bike", "electric_bicycle", "electric-bicycle", "electric_bike"}
)


class FrameDetector(Protocol):
    """What the rule needs from a detector (``edge.detect.Detector`` is one)."""

    @property
    def class_names(self) -> list[str]: ...

    def threshold_of(self, class_id: int) -> float:
        """The score from which the model reports this class (its manifest's calibration)."""
        ...

    def detect(self, frame: np.ndarray) -> Detections: ...


class NoEbikeClass(ValueError):
    """The model has no class that is an e-bike: the rule cannot run on it."""


@dataclass(frozen=True)
class EbikeParams:
    k: int = 3
    n: int = 5
    # a detection this confident starts a track (weaker ones only extend one); None = the model's own
    # threshold for the e-bike class from its manifest. 0.5 by default: with reference model v0.1.0 the
    # manifest's 0.2 made alerts faster (8/8 entries within 1 s vs 5/8) but tracked bicycles as e-bikes in
    # 3 of 6 bicycle episodes (benchmarks/ebike_eval.py); with v0.2.0 and ``rivals`` 0.5 meets the 1 s
    track_start: float | None = 0.5
    snapshot_max_bytes: int = 120_000
    # look-alike classes: a frame where the model reports an e-bike's box more confidently as one of these
    # (IoU >= rival_iou) counts for the e-bike only if, over the track so far, the e-bike scores still
    # add up to more. A bicycle scored 0.8 as a bicycle and 0.5-0.7 as an e-bike for seconds raised an
    # alert (benchmarks/ebike_eval.py, lift clip 9008, model v0.2.0); an e-bike taken for a bicycle for a
    # few frames as it crosses the door is still counted (dropping those frames delayed 2 of 8 alerts)
    rivals: tuple[str, ...] = ("bicycle", "bike")
    rival_iou: float = 0.5


@dataclass
class _Votes:
    window: deque[bool]
    zone: str | None = None
    alerted: bool = False
    own: float = 0.0  # the track's e-bike scores, summed
    rival: float = 0.0  # the best look-alike score on its box, frame by frame, summed


class EbikeRule:
    def __init__(
        self,
        zones: Sequence[Zone],
        detector: FrameDetector,
        params: EbikeParams | None = None,
        gate: MotionGate | None = None,
        ebike_classes: Sequence[str] | None = None,
    ) -> None:
        if not zones:
            raise ValueError("ebike_indoor needs at least one zone")
        self.params = params or EbikeParams()
        if not 1 <= self.params.k <= self.params.n:
            raise ValueError("need 1 <= k <= n")
        wanted = {c.lower() for c in ebike_classes} if ebike_classes else EBIKE_NAMES
        self.class_ids = {i for i, name in enumerate(detector.class_names) if name.lower() in wanted}
        if not self.class_ids:
            raise NoEbikeClass(
                f"the model's classes {detector.class_names} include no e-bike class {sorted(wanted)}"
            )
        rivals = {c.lower() for c in self.params.rivals}
        self.rival_ids = {i for i, name in enumerate(detector.class_names) if name.lower() in rivals}
        self.zones = list(zones)
        self._contours = [np.asarray(z.polygon, np.float32) for z in zones]
        self.detector = detector
        self.gate = gate
        start = self.params.track_start
        if start is None:
            start = min((detector.threshold_of(i) for i in self.class_ids), default=0.5)
        self.tracker = IouTracker(TrackerParams(high=start, low=min(0.1, start)))
        self._votes: dict[int, _Votes] = {}

    @classmethod
    def from_camera(
        cls,
        camera: CameraConfig,
        detector: FrameDetector,
        gate: MotionGate | None = None,
        params: EbikeParams | None = None,
    ) -> EbikeRule:
        return cls(camera.zones, detector, params, gate=gate)

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        if self.gate is not None and not self.gate.check(frame, t_s).run_detector:
            return []
        found = self.detector.detect(frame)
        ebikes = found.select(np.isin(found.class_id, list(self.class_ids)))
        rivals = found.select(np.isin(found.class_id, list(self.rival_ids)))
        seen = {t.id: t for t in self.tracker.update(ebikes, t_s)}
        drafts = []
        for track in self.tracker.tracks:
            votes = self._votes.setdefault(track.id, _Votes(window=deque(maxlen=self.params.n)))
            zone = self._zone_of(track) if track.id in seen else None
            if zone is not None and not self._counts(track, rivals, votes):
                zone = None
            votes.window.append(zone is not None)
            if zone is not None:
                votes.zone = zone
            if not votes.alerted and sum(votes.window) >= self.params.k and votes.zone is not None:
                votes.alerted = True
                drafts.append(self._draft(frame, track, votes.zone, t_s))
        alive = {t.id for t in self.tracker.tracks}
        self._votes = {tid: v for tid, v in self._votes.items() if tid in alive}
        return drafts

    def finish(self, t_s: float) -> list[AlertDraft]:
        return []

    def _counts(self, track: Track, rivals: Detections, votes: _Votes) -> bool:
        """Whether this frame's e-bike box counts, against the look-alike classes on the same box."""
        rival = 0.0
        if len(rivals):
            overlap = iou_matrix(track.xyxy[None, :], rivals.xyxy)[0] >= self.params.rival_iou
            rival = float(rivals.confidence[overlap].max(initial=0.0))
        votes.own += track.confidence
        votes.rival += rival
        return track.confidence >= rival or votes.own > votes.rival

    def _zone_of(self, track: Track) -> str | None:
        x1, _, x2, y2 = (float(v) for v in track.xyxy)
        foot = ((x1 + x2) / 2, y2 - 1)
        for zone, contour in zip(self.zones, self._contours, strict=True):
            if cv2.pointPolygonTest(contour, foot, False) >= 0:
                return zone.name
        return None

    def _draft(self, frame: np.ndarray, track: Track, zone: str, t_s: float) -> AlertDraft:
        bbox = tuple(round(float(v), 1) for v in track.xyxy)
        polygon = next(z.polygon for z in self.zones if z.name == zone)
        shot = snapshot(frame, bbox, polygon, "e-bike", max_bytes=self.params.snapshot_max_bytes)
        recent = track.scores[-self.params.n :]
        return AlertDraft(
            kind=AlertKind.EBIKE_INDOOR,
            t_s=t_s,
            confidence=round(min(1.0, float(np.mean(recent))), 3),
            severity=Severity.HIGH,
            zone=zone,
            bbox=(bbox[0], bbox[1], bbox[2], bbox[3]),
            attributes=GenericAttributes.model_validate(
                {
                    "track_id": track.id,
                    "class": self.detector.class_names[track.class_id],
                    "hits": int(sum(self._votes[track.id].window)),
                    "window": self.params.n,
                    "first_seen_s": round(track.first_seen_s, 2),
                }
            ),
            snapshot_jpeg=shot.jpeg,
            event_key=f"ebike-{round(track.first_seen_s * 1000)}-{track.id}",
        )
