"""The camera reader: newest-frame hand-off, reconnect with backoff, health states, masked credentials."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.capture import Backoff, CameraReader, HealthState


class ScriptedSource:
    """A source that delivers ``frames`` frames and then fails, like a camera whose switch port flaps."""

    def __init__(self, frames: int, value: int) -> None:
        self.frames = frames
        self.value = value

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.frames <= 0:
            return False, None
        self.frames -= 1
        threading.Event().wait(0.005)
        return True, np.full((4, 4, 3), self.value, np.uint8)

    def get(self, prop: int) -> float:
        return 0.0

    def release(self) -> None:
        return None


class Unreachable:
    def isOpened(self) -> bool:
        return False

    def read(self) -> tuple[bool, np.ndarray | None]:
        return False, None

    def get(self, prop: int) -> float:
        return 0.0

    def release(self) -> None:
        return None


def test_reader_reconnects_after_failures_and_reports_health(caplog: pytest.LogCaptureFixture) -> None:
    """Two failed opens, a session that dies, then a good one: the reader gets there on its own."""
    script = [Unreachable(), Unreachable(), ScriptedSource(3, 10), ScriptedSource(10_000, 20)]
    opened: list[str] = []

    def opener(source: str) -> object:
        opened.append(source)
        return script[min(len(opened) - 1, len(script) - 1)]

    caplog.set_level(logging.INFO)
    reader = CameraReader(
        "cam-1",
        "rtsp://admin:hunter2@10.0.0.5/stream1",
        opener=opener,  # type: ignore[arg-type]
        backoff=Backoff(initial_s=0.01, max_s=0.05),
    )
    reader.start()
    try:
        frame = None
        seq = 0
        for _ in range(200):
            frame = reader.wait_newer(seq, timeout=0.1)
            if frame is not None:
                seq = frame.seq
                if int(frame.image[0, 0, 0]) == 20:
                    break
        assert frame is not None and int(frame.image[0, 0, 0]) == 20
        health = reader.health()
        assert health.state is HealthState.ONLINE
        assert health.reconnects == 1
        assert len(opened) == 4
    finally:
        reader.stop()
    text = caplog.text + " ".join(str(getattr(r, "sx", "")) for r in caplog.records)
    assert "hunter2" not in text
    assert "admin:***@10.0.0.5" in text
    assert "camera reconnected" in caplog.text


def test_slow_consumer_gets_the_newest_frame_not_a_backlog() -> None:
    counter = {"n": 0}

    class Counting(ScriptedSource):
        def read(self) -> tuple[bool, np.ndarray | None]:
            counter["n"] += 1
            threading.Event().wait(0.002)
            return True, np.full((2, 2, 3), counter["n"] % 256, np.uint8)

    reader = CameraReader("cam-1", "rtsp://x/s", opener=lambda s: Counting(0, 0))
    reader.start()
    try:
        first = reader.wait_newer(0, timeout=2.0)
        assert first is not None
        threading.Event().wait(0.2)  # a slow detector
        second = reader.wait_newer(first.seq, timeout=2.0)
        assert second is not None
        assert second.seq - first.seq > 10, "frames read meanwhile were dropped, not queued"
        assert second.seq >= reader.health().frames_in - 5
    finally:
        reader.stop()


def write_clip(path: Path, frames: int, fps: float = 25.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i % 256, np.uint8))
    writer.release()


def test_file_source_is_paced_and_ends(tmp_path: Path) -> None:
    clip = tmp_path / "clip.avi"
    write_clip(clip, 25, fps=50.0)  # half a second of video
    reader = CameraReader("cam-f", str(clip))
    reader.start()
    seen = 0
    seq = 0
    try:
        for _ in range(100):
            frame = reader.wait_newer(seq, timeout=0.5)
            if frame is None:
                break
            seq = frame.seq
            seen += 1
        assert reader.health().state is HealthState.ENDED
        assert reader.health().frames_in == 25
        assert frame is None or frame.t_s >= 0.4, "paced at the file's 50 fps, not as fast as the disk"
        assert seen >= 5
    finally:
        reader.stop()
