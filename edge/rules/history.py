"""A short memory of what the zone looked like, to date an item's arrival after the fact.

When an item is first noticed it may have stood there for a while, half hidden by people walking past.
Looking back through recent frames tells when its current appearance first showed up: going back in
time, frames where the item's pixels look like they do now count as "there", frames where they look
like the empty floor end the search, and anything else (someone in front) is skipped.
"""

from __future__ import annotations

from collections import deque

import numpy as np


class AppearanceHistory:
    def __init__(self, every_s: float = 1.0, keep_s: float = 60.0, threshold: float = 18.0) -> None:
        self.every_s = every_s
        self.threshold = threshold
        self._frames: deque[tuple[float, np.ndarray]] = deque(maxlen=max(2, round(keep_s / every_s)))
        self._last: float | None = None

    def add(self, image: np.ndarray, gain: float, t_s: float) -> None:
        """Keep a frame (analysis size, divided by the lighting gain) every ``every_s`` seconds."""
        if self._last is not None and t_s - self._last < self.every_s:
            return
        self._last = t_s
        self._frames.append((t_s, np.clip(image / max(gain, 1e-3), 0, 255).astype(np.uint8)))

    def arrival(
        self, pixels: np.ndarray, current: np.ndarray, background: np.ndarray, fallback: float
    ) -> float:
        """When what ``pixels`` show in ``current`` arrived there (``fallback`` if history has nothing)."""
        if not self._frames:
            return fallback
        now = current[pixels].astype(np.float32)
        empty = background[pixels].astype(np.float32)
        since = fallback
        for t_s, frame in reversed(self._frames):
            seen = frame[pixels].astype(np.float32)
            like_now = float((np.abs(seen - now).max(axis=1) <= self.threshold).mean())
            like_floor = float((np.abs(seen - empty).max(axis=1) <= self.threshold).mean())
            if like_floor >= 0.75:
                break  # the floor was empty here: the item came after this frame
            if like_now >= 0.5:
                since = min(since, t_s)
        return since

    def presence(self, pixels: np.ndarray, current: np.ndarray, since_s: float) -> float:
        """Fraction of remembered frames since ``since_s`` in which these pixels looked as they do now.

        A real item is seen as itself most of the time even in a busy corridor; a patch that has merely
        been covered by one passer-by after another never looks the same twice.
        """
        frames = [frame for t_s, frame in self._frames if t_s >= since_s]
        if not frames:
            return 1.0
        now = current[pixels].astype(np.float32)
        hits = 0
        for frame in frames:
            seen = frame[pixels].astype(np.float32)
            hits += float((np.abs(seen - now).max(axis=1) <= self.threshold).mean()) >= 0.5
        return hits / len(frames)
