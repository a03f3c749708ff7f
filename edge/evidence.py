"""Evidence for an alert: a JPEG of the frame with the object's box and the zone drawn, size-capped, hashed.

The JPEG rides inside the alert (base64) on a flaky uplink, so it has a hard byte cap: quality is lowered
first, then the picture is scaled down, until it fits. Its sha256 goes into the alert so the case record
can prove which picture was attached.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from sharpeyes.contract.alert import Evidence

BOX_COLOUR = (0, 0, 255)  # BGR red
ZONE_COLOUR = (0, 215, 255)  # BGR amber


class EvidenceTooLarge(ValueError):
    """Even the smallest rendition is over the cap (a cap below a few kB is a configuration mistake)."""


@dataclass(frozen=True)
class Snapshot:
    jpeg: bytes
    sha256: str
    quality: int
    scale: float

    def to_evidence(self) -> Evidence:
        return Evidence(snapshot_jpeg=base64.b64encode(self.jpeg).decode("ascii"), sha256=self.sha256)


def annotate(
    frame: np.ndarray,
    bbox: Sequence[float] | None,
    zone: Sequence[Sequence[float]] | None,
    label: str = "",
) -> np.ndarray:
    """A copy of ``frame`` with the zone outline and the object box (full-resolution pixel coordinates)."""
    out = frame.copy()
    thickness = max(1, round(out.shape[1] / 400))
    if zone:
        cv2.polylines(out, [np.round(np.asarray(zone)).astype(np.int32)], True, ZONE_COLOUR, thickness)
    if bbox is not None:
        x1, y1, x2, y2 = (round(v) for v in bbox)
        cv2.rectangle(out, (x1, y1), (x2, y2), BOX_COLOUR, thickness + 1)
        if label:
            cv2.putText(
                out, label, (x1, max(12, y1 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.5, BOX_COLOUR, 1, cv2.LINE_AA
            )
    return out


def encode_capped(image: np.ndarray, max_bytes: int, qualities: Sequence[int] = (85, 70, 55, 40)) -> Snapshot:
    """The best JPEG of ``image`` that fits in ``max_bytes``: lower quality first, then smaller size."""
    scale = 1.0
    current = image
    while True:
        for quality in qualities:
            ok, buf = cv2.imencode(".jpg", current, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if ok and buf.size <= max_bytes:
                data = buf.tobytes()
                return Snapshot(
                    jpeg=data, sha256=hashlib.sha256(data).hexdigest(), quality=quality, scale=scale
                )
        if min(current.shape[:2]) < 32:
            raise EvidenceTooLarge(f"cannot fit a JPEG into {max_bytes} bytes")
        scale *= 0.7
        current = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def snapshot(
    frame: np.ndarray,
    bbox: Sequence[float] | None,
    zone: Sequence[Sequence[float]] | None,
    label: str = "",
    max_bytes: int = 120_000,
) -> Snapshot:
    return encode_capped(annotate(frame, bbox, zone, label), max_bytes)
