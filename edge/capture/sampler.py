"""Sampling at the camera's configured ``fps``: which frames of a faster stream get analysed."""

from __future__ import annotations


class FrameSampler:
    """``take(t)`` is True for the first frame at or after each ``1/fps`` tick of the frame clock ``t``.

    Works the same on a file (``t = index / video_fps``) and on a live stream (``t`` = capture time): if
    the analysis falls behind, missed ticks are skipped rather than caught up, so there is never a backlog.
    """

    def __init__(self, fps: float) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        self.period = 1.0 / fps
        self._next: float | None = None
        # a frame a hair before its tick (29.97 fps sources, float error) still counts for that tick
        self._slack = min(1e-3, self.period / 100)

    def take(self, t: float) -> bool:
        if self._next is None:
            self._next = t + self.period
            return True
        if t + self._slack < self._next:
            return False
        self._next += self.period
        if self._next <= t:  # fell behind by more than one tick: realign instead of bursting
            self._next = t + self.period
        return True
