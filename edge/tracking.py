"""IoU tracking in the ByteTrack manner: one object keeps one id across frames, so it raises one alert.

Each step matches confident detections to existing tracks first (greedy by IoU), then the leftover
tracks to low-confidence detections (an e-bike half hidden behind a person still keeps its id), starts
tracks from unmatched confident detections, and ends tracks unseen for ``max_missed`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edge.detect.decode import iou_matrix
from edge.detect.detections import Detections


@dataclass
class Track:
    id: int
    xyxy: np.ndarray
    class_id: int
    confidence: float
    hits: int = 1
    missed: int = 0
    first_seen_s: float = 0.0
    last_seen_s: float = 0.0
    scores: list[float] = field(default_factory=list)
    detection: int = -1  # index of the detection it matched in the last ``update`` (-1: not seen)


@dataclass(frozen=True)
class TrackerParams:
    high: float = 0.5  # detections at or above start tracks and match first
    low: float = 0.1  # detections between low and high only extend existing tracks
    match_iou: float = 0.3
    max_missed: int = 10


def greedy_pairs(ious: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """(row, column) pairs, highest IoU first, each row and column used once, none below ``threshold``."""
    pairs: list[tuple[int, int]] = []
    if ious.size == 0:
        return pairs
    used_rows: set[int] = set()
    used_cols: set[int] = set()
    for flat in np.argsort(-ious, axis=None):
        r, c = divmod(int(flat), ious.shape[1])
        if ious[r, c] < threshold:
            break
        if r in used_rows or c in used_cols:
            continue
        used_rows.add(r)
        used_cols.add(c)
        pairs.append((r, c))
    return pairs


class IouTracker:
    def __init__(self, params: TrackerParams | None = None) -> None:
        self.params = params or TrackerParams()
        self.tracks: list[Track] = []
        self._next = 1

    def update(self, detections: Detections, t_s: float) -> list[Track]:
        """Advance one analysed frame; returns the tracks seen in this frame."""
        p = self.params
        high = np.nonzero(detections.confidence >= p.high)[0]
        low = np.nonzero((detections.confidence >= p.low) & (detections.confidence < p.high))[0]
        seen: list[Track] = []
        unmatched = list(range(len(self.tracks)))
        for track in self.tracks:
            track.detection = -1
        for group in (high, low):
            if not len(group) or not unmatched:
                continue
            boxes = np.stack([self.tracks[i].xyxy for i in unmatched])
            ious = iou_matrix(boxes, detections.xyxy[group])
            # a track only continues with a detection of its own class
            same = np.array(
                [[self.tracks[i].class_id == detections.class_id[d] for d in group] for i in unmatched]
            )
            pairs = greedy_pairs(np.where(same, ious, 0.0), p.match_iou)
            for r, c in pairs:
                track = self.tracks[unmatched[r]]
                d = int(group[c])
                track.xyxy = detections.xyxy[d]
                track.confidence = float(detections.confidence[d])
                track.scores.append(track.confidence)
                track.hits += 1
                track.missed = 0
                track.last_seen_s = t_s
                track.detection = d
                seen.append(track)
            matched_rows = {r for r, _ in pairs}
            matched_dets = {int(group[c]) for _, c in pairs}
            unmatched = [i for k, i in enumerate(unmatched) if k not in matched_rows]
            if group is high:
                high = np.array([d for d in high if int(d) not in matched_dets], np.int64)
        for i in unmatched:
            self.tracks[i].missed += 1
        for d in (int(x) for x in high):
            track = Track(
                id=self._next,
                xyxy=detections.xyxy[int(d)],
                class_id=int(detections.class_id[int(d)]),
                confidence=float(detections.confidence[int(d)]),
                first_seen_s=t_s,
                last_seen_s=t_s,
                scores=[float(detections.confidence[int(d)])],
                detection=int(d),
            )
            self._next += 1
            self.tracks.append(track)
            seen.append(track)
        self.tracks = [t for t in self.tracks if t.missed <= p.max_missed]
        return seen
