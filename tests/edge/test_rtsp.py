"""A local RTSP server streams a clip, is killed and restarted: the reader reconnects by itself.

The server is GStreamer's RTSP server (``rtsp_gst_server.py``, system python3), the clip an H.264 MP4 made
by Debian's ffmpeg. Locally the test skips if they are missing; under ``CI=true`` it fails instead.
    apt-get install -y --no-install-recommends ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0 \
        gstreamer1.0-plugins-base gstreamer1.0-plugins-good
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.capture import Backoff, CameraReader, HealthState
from edge.capture.reader import VideoSource, open_with_opencv

SERVER = Path(__file__).with_name("rtsp_gst_server.py")
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.slow


def _missing_tools() -> str:
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed"
    probe = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0')"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        return "GStreamer RTSP server (python3-gi, gir1.2-gst-rtsp-server-1.0) is not installed"
    return ""


@pytest.fixture(scope="module")
def h264_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = _missing_tools()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"RTSP test needs its tools under CI: {missing}")
        pytest.skip(missing)
    folder = tmp_path_factory.mktemp("rtsp")
    raw = folder / "clip.avi"
    writer = cv2.VideoWriter(str(raw), cv2.VideoWriter.fourcc(*"MJPG"), 10, (320, 240))
    for i in range(600):  # one minute: longer than the test, so the server never reaches the end
        frame = np.full((240, 320, 3), 40, np.uint8)
        cv2.circle(frame, (20 + (i * 3) % 280, 120), 15, (0, 220, 0), -1)
        writer.write(frame)
    writer.release()
    clip = folder / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(raw),
            "-c:v",
            "libx264",
            "-g",
            "10",
            "-bf",
            "0",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
        timeout=120,
    )
    return clip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RtspServer:
    def __init__(self, port: int, clip: Path) -> None:
        self.port = port
        self.clip = clip
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [SYSTEM_PYTHON, str(SERVER), str(self.port), str(self.clip)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()
        assert "serving" in line, f"RTSP server did not start: {line!r}"

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def rtsp_server(h264_clip: Path) -> Iterator[RtspServer]:
    server = RtspServer(_free_port(), h264_clip)
    server.start()
    yield server
    server.kill()


def _wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_reader_reconnects_when_the_rtsp_server_comes_back(
    rtsp_server: RtspServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    def opener(source: str) -> VideoSource:
        return open_with_opencv(source, timeout_ms=2000)

    url = f"rtsp://viewer:s3cret@127.0.0.1:{rtsp_server.port}/clip"
    reader = CameraReader("cam-rtsp", url, opener=opener, backoff=Backoff(initial_s=0.2, max_s=1.0))
    reader.start()
    try:
        assert _wait_until(lambda: reader.health().frames_in >= 10, 20), reader.health()
        first = reader.wait_newer(0, timeout=2)
        assert first is not None and first.image.shape == (240, 320, 3)
        assert reader.health().state is HealthState.ONLINE

        rtsp_server.kill()
        assert _wait_until(lambda: reader.health().state is HealthState.RECONNECTING, 15), reader.health()
        frames_when_down = reader.health().frames_in

        rtsp_server.start()
        assert _wait_until(
            lambda: (
                reader.health().state is HealthState.ONLINE
                and reader.health().frames_in > frames_when_down + 10
            ),
            30,
        ), reader.health()
        after = reader.wait_newer(frames_when_down, timeout=2)
        assert after is not None and int(after.image[:, :, 1].max()) > 150, "a decoded picture, not garbage"
        assert reader.health().reconnects == 1
    finally:
        reader.stop()
    assert "camera reconnected" in caplog.text
    logged = caplog.text + " ".join(str(getattr(r, "sx", "")) for r in caplog.records)
    assert "s3cret" not in logged
