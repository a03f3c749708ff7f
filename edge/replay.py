"""Feed a video file to analyzers the way ``sharpeyes edge scan`` does: ``t_s = index / video_fps``,
sampled at the camera's ``fps``. Used by the clutter evaluation and tests until the scan loop is merged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2

from edge.analyzer import AlertDraft, Analyzer
from edge.capture.sampler import FrameSampler


class ReplayError(OSError):
    """The video cannot be opened or reports no frame rate."""


@dataclass(frozen=True)
class ReplayResult:
    drafts: list[AlertDraft]
    frames_read: int
    frames_analysed: int
    seconds: float  # video duration covered
    wall_s: float


def replay(
    video: Path,
    analyzers: Sequence[Analyzer],
    fps: float,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise ReplayError(f"cannot open video {video}")
    video_fps = cap.get(cv2.CAP_PROP_FPS)
    if not video_fps or video_fps <= 0:
        raise ReplayError(f"{video} reports no frame rate")
    total = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    sampler = FrameSampler(fps)
    drafts: list[AlertDraft] = []
    index = analysed = 0
    start = time.monotonic()
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            t_s = index / video_fps
            if sampler.take(t_s):
                analysed += 1
                for analyzer in analyzers:
                    drafts.extend(analyzer.process(frame, t_s))
            index += 1
            if progress is not None and index % 250 == 0:
                progress(index, total)
    finally:
        cap.release()
    end_s = index / video_fps
    for analyzer in analyzers:
        drafts.extend(analyzer.finish(end_s))
    return ReplayResult(drafts, index, analysed, end_s, time.monotonic() - start)
