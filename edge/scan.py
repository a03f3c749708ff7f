"""``sharpeyes edge scan``: one camera config over a video file, offline, every alert as one JSON line.

The loop samples frames at the camera's ``fps`` (from the video's own frame rate), gives each analyzer
the frame and ``t_s = frame_index / video_fps``, and turns drafts into wire alerts: ``ts = start + t_s``,
``source_id`` = camera id, a deterministic ``alert_id`` (a re-scan writes the same ids), agent and
detector identity, evidence as base64 JPEG with its sha256.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import cv2

from edge.alerting import alert_from_draft
from edge.analyzer import AlertDraft
from edge.analyzers import DEFAULT_SILHOUETTE_MANIFEST, CameraAnalyzer, analyzers_for
from sharpeyes.config import CameraConfig
from sharpeyes.contract import AgentInfo, Alert
from sharpeyes.errors import SharpEyesError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

AGENT_VERSION = "0.1.0"


class VideoOpenError(SharpEyesError):
    """The video file cannot be opened or has no readable frames."""


@dataclass(frozen=True)
class Emitted:
    """A draft, the analyzer that raised it, and when (video seconds) it was raised."""

    at_s: float
    draft: AlertDraft
    source: CameraAnalyzer


@dataclass(frozen=True)
class ScanProgress:
    frames_read: int
    frames_total: int
    frames_analysed: int
    alerts: int
    elapsed_s: float


def sample_step(video_fps: float, camera_fps: float) -> float:
    """Frames of video per analysed frame (1.0 = every frame)."""
    return max(1.0, video_fps / camera_fps)


def iter_emitted(
    video: Path,
    analyzers: list[CameraAnalyzer],
    camera_fps: float,
    progress: Callable[[ScanProgress], None] | None = None,
    progress_every_s: float = 5.0,
) -> Iterator[Emitted]:
    """Run ``analyzers`` over ``video``; yield every draft as soon as an analyzer returns it."""
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise VideoOpenError(f"cannot open video {video}")
    try:
        video_fps = float(cap.get(cv2.CAP_PROP_FPS)) or 25.0
        total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        step = sample_step(video_fps, camera_fps)
        index, analysed, alerts = 0, 0, 0
        next_pick = 0.0
        started = time.monotonic()
        last_report = started
        t_s = 0.0
        while True:
            if index + 1e-9 >= next_pick:
                ok, frame = cap.read()
                if not ok:
                    break
                next_pick += step
                t_s = index / video_fps
                analysed += 1
                for source in analyzers:
                    for draft in source.analyzer.process(frame, t_s):
                        alerts += 1
                        yield Emitted(t_s, draft, source)
            elif not cap.grab():
                break
            index += 1
            now = time.monotonic()
            if progress is not None and now - last_report >= progress_every_s:
                last_report = now
                progress(ScanProgress(index, total, analysed, alerts, now - started))
        if index == 0:
            raise VideoOpenError(f"no readable frames in {video}")
        end_s = index / video_fps
        for source in analyzers:
            for draft in source.analyzer.finish(end_s):
                yield Emitted(end_s, draft, source)
        if progress is not None:
            progress(ScanProgress(index, total, analysed, alerts, time.monotonic() - started))
    finally:
        cap.release()


def to_alert(draft: AlertDraft, camera: CameraConfig, start: datetime, source: CameraAnalyzer) -> Alert:
    """The wire alert, built exactly as the running agent builds it (``edge.alerting``)."""
    agent = AgentInfo(id=f"scan-{camera.id}", version=AGENT_VERSION, model=source.model)
    return alert_from_draft(draft, camera, start, agent)


@dataclass(frozen=True)
class ScanSummary:
    frames_read: int
    alerts: int
    seconds: float


def scan_video(
    video: Path,
    camera: CameraConfig,
    out: BinaryIO,
    start: datetime,
    progress: Callable[[ScanProgress], None] | None = None,
    model: Path | None = None,
    clutter_people: bool = True,
    silhouettes: Path | None = DEFAULT_SILHOUETTE_MANIFEST,
) -> ScanSummary:
    """Write one JSON line per alert to ``out``, in the order the analyzers raised them. ``model`` is
    the detector manifest for ``ebike_indoor`` and the person detector of ``corridor_clutter`` (default:
    the shipped reference model); ``clutter_people`` false runs the clutter rule model-free;
    ``silhouettes`` is the person silhouette model (default: the shipped one; None: whole boxes)."""
    analyzers = analyzers_for(
        camera, origin=start, model=model, clutter_people=clutter_people, silhouettes=silhouettes
    )
    started = time.monotonic()
    count = 0
    last = ScanProgress(0, 0, 0, 0, 0.0)

    def track(p: ScanProgress) -> None:
        nonlocal last
        last = p
        if progress is not None:
            progress(p)

    for emitted in iter_emitted(video, analyzers, camera.fps, track):
        out.write(to_alert(emitted.draft, camera, start, emitted.source).to_bytes() + b"\n")
        out.flush()
        count += 1
    elapsed = time.monotonic() - started
    log.info(
        "scan finished",
        extra=fields(
            camera=camera.id,
            video=str(video),
            frames=last.frames_read,
            alerts=count,
            seconds=round(elapsed, 2),
        ),
    )
    return ScanSummary(last.frames_read, count, elapsed)
