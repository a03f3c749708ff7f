"""One reader thread per camera: reads as fast as the source delivers and keeps only the newest frame.

A slow detector therefore never builds a backlog: it takes whatever frame is newest when it is ready.
A stream that fails to open or stops delivering is reopened with exponential backoff; the state
(starting → online → reconnecting → online …) is what heartbeats report. The source URL is logged only
with its password masked.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from edge.capture.backoff import Backoff
from edge.capture.health import CameraHealth, HealthState
from sharpeyes.config import mask_credentials
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


class VideoSource(Protocol):
    """The part of ``cv2.VideoCapture`` the reader uses."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, np.ndarray | None]: ...

    def get(self, prop: int) -> float: ...

    def release(self) -> None: ...


def open_with_opencv(source: str, timeout_ms: int = 5000) -> VideoSource:
    """``cv2.VideoCapture`` over FFmpeg with open and read timeouts, so a dead RTSP server never hangs us."""
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
    cap: VideoSource = cv2.VideoCapture(source, cv2.CAP_FFMPEG, params)
    return cap


def is_file_source(source: str) -> bool:
    return "://" not in source or source.startswith("file://")


@dataclass(frozen=True)
class Frame:
    image: np.ndarray
    seq: int  # 1, 2, ... frames read since the reader started (gaps = frames nobody took)
    t_s: float  # capture time, seconds on the reader's monotonic clock (since the reader started)


class CameraReader:
    """Keeps ``latest`` up to date from ``source`` in a daemon thread. ``wait_newer`` hands frames out.

    ``pace_files``: a file is read at its own frame rate (as a camera would deliver it) rather than as
    fast as the disk allows, so a file behaves like a live source in the agent.
    """

    def __init__(
        self,
        camera_id: str,
        source: str,
        opener: Callable[[str], VideoSource] = open_with_opencv,
        backoff: Backoff | None = None,
        pace_files: bool = True,
        loop_files: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        speed: float = 1.0,
    ) -> None:
        self.camera_id = camera_id
        self.source = source
        self.safe_source = mask_credentials(source)
        self._opener = opener
        self._backoff = backoff or Backoff(initial_s=0.5, max_s=30.0, jitter=0.2)
        self._is_file = is_file_source(source)
        self._pace = pace_files and self._is_file
        if speed <= 0:
            raise ValueError("speed must be positive")
        # a paced file played ``speed`` times faster (demos); frame times stay in the video's own time
        self._speed = speed if self._pace else 1.0
        self._loop = loop_files and self._is_file
        self._monotonic = monotonic
        self._t0 = monotonic()
        self._cond = threading.Condition()
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = HealthState.STARTING
        self._frames_in = 0
        self._reconnects = 0
        self._last_error = ""
        self._fps_in = 0.0
        self._fps_window: tuple[float, int] = (monotonic(), 0)

    # -- the consumer side --------------------------------------------------------------------------
    def wait_newer(self, after_seq: int, timeout: float) -> Frame | None:
        """The newest frame with ``seq > after_seq``, waiting up to ``timeout`` s; None if none came."""
        deadline = self._monotonic() + timeout
        with self._cond:
            while self._latest is None or self._latest.seq <= after_seq:
                remaining = deadline - self._monotonic()
                if remaining <= 0 or self._stop.is_set() or self._state is HealthState.ENDED:
                    return None
                self._cond.wait(remaining)
            return self._latest

    def health(self) -> CameraHealth:
        with self._cond:
            return CameraHealth(
                camera_id=self.camera_id,
                state=self._state,
                frames_in=self._frames_in,
                fps_in=self._fps_in,
                reconnects=self._reconnects,
                last_error=self._last_error,
            )

    @property
    def ended(self) -> bool:
        return self._state is HealthState.ENDED

    # -- lifecycle -----------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"reader-{self.camera_id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        self._set_state(HealthState.STOPPED, "")

    # -- the reader thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            cap = self._open()
            if cap is None:
                self._wait_backoff()
                continue
            ended_cleanly = self._pump(cap)
            cap.release()
            if self._stop.is_set():
                break
            if ended_cleanly and self._is_file and not self._loop:
                self._set_state(HealthState.ENDED, "")
                log.info("file source ended", extra=fields(camera=self.camera_id, source=self.safe_source))
                with self._cond:
                    self._cond.notify_all()
                return
            if not ended_cleanly:
                self._wait_backoff()

    def _open(self) -> VideoSource | None:
        try:
            cap = self._opener(self.source)
        except Exception as exc:  # noqa: BLE001 - any opener failure is a failed attempt, retried
            self._fail(f"open raised {type(exc).__name__}")
            return None
        if not cap.isOpened():
            cap.release()
            self._fail("cannot open source")
            return None
        return cap

    def _pump(self, cap: VideoSource) -> bool:
        """Read until the source fails or ends. True if a file ended normally (not an error)."""
        native_fps = cap.get(cv2.CAP_PROP_FPS) if self._pace else 0.0
        period = 1.0 / (native_fps * self._speed) if 0 < native_fps < 240 else 0.0
        next_due = self._monotonic()
        got_any = False
        while not self._stop.is_set():
            ok, image = cap.read()
            if not ok or image is None:
                if self._is_file and got_any:
                    return True
                self._fail("stream stopped delivering frames" if got_any else "no frame after open")
                return False
            if not got_any:
                got_any = True
                self._on_connected()
            self._publish(image)
            if period:
                next_due += period
                delay = next_due - self._monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                else:
                    next_due = self._monotonic()
        return False

    def _publish(self, image: np.ndarray) -> None:
        now = self._monotonic()
        with self._cond:
            self._frames_in += 1
            self._latest = Frame(image=image, seq=self._frames_in, t_s=(now - self._t0) * self._speed)
            start, count = self._fps_window
            count += 1
            if now - start >= 2.0:
                self._fps_in = count / (now - start)
                self._fps_window = (now, 0)
            else:
                self._fps_window = (start, count)
            self._cond.notify_all()

    def _on_connected(self) -> None:
        was = self._state
        self._backoff.reset()
        self._set_state(HealthState.ONLINE, "")
        event = "camera reconnected" if was is HealthState.RECONNECTING else "camera online"
        log.info(event, extra=fields(camera=self.camera_id, source=self.safe_source))

    def _fail(self, reason: str) -> None:
        with self._cond:
            was = self._state
            if was is HealthState.ONLINE:
                self._reconnects += 1
            self._state = HealthState.RECONNECTING
            self._last_error = reason
            self._fps_in = 0.0
        if was is not HealthState.RECONNECTING:
            log.warning(
                "camera offline; reconnecting with backoff",
                extra=fields(camera=self.camera_id, source=self.safe_source, reason=reason),
            )

    def _wait_backoff(self) -> None:
        delay = self._backoff.next()
        log.debug("camera retry", extra=fields(camera=self.camera_id, delay_s=round(delay, 2)))
        self._stop.wait(delay)

    def _set_state(self, state: HealthState, error: str) -> None:
        with self._cond:
            self._state = state
            self._last_error = error


def file_exists(source: str) -> bool:
    return Path(source.removeprefix("file://")).exists()
