"""A learned empty corridor, and for every pixel since when it has differed from it.

The background is learned as the median of the first ``learn_s`` seconds (people walking through do not
survive a median), then kept in a *reference* lighting: each frame's global gain against it is estimated
on pixels that currently look empty, so a slow dimming or a lamp warming up is divided out rather than
seen as an object. Empty-looking pixels keep adapting slowly (local, gradual light changes); pixels under
something never do, so an item left for hours is never absorbed into the background.

Per pixel we keep ``onset``: when it started to differ (NaN while it matches). A pixel that matches again
for ``grace_s`` is reset, so a person walking over the floor leaves no trace, and a pixel of an item that
flickers below the threshold for a frame (noise, a shadow) keeps its onset.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class BackgroundParams:
    learn_s: float = 6.0
    absorb_after_s: float = 6.0  # once, this long after learning: what has differed all along is a ghost
    threshold: float = 18.0  # grey levels (after gain compensation) that make a pixel differ
    keep_threshold: float = 12.0  # hysteresis: a differing pixel stays so until it is this close again
    grace_s: float = 1.5
    adapt_per_s: float = 0.1  # fraction per second an empty pixel moves towards what it sees
    settle_threshold: float = 14.0  # a pixel whose value jumps by this much has something new on it
    anchor_s: float = 1.0  # a value held this long is what the pixel returns to after an occlusion


@dataclass(frozen=True)
class ForegroundState:
    differs: np.ndarray  # bool, pixels that differ now
    onset: np.ndarray  # float32 seconds, NaN where the pixel matches the background (past grace)
    settled: np.ndarray  # float32 seconds since the pixel's value last jumped (what is on it now arrived)
    diff: np.ndarray  # float32 |frame - gain * background|
    gain: float
    reference: np.ndarray  # the empty scene, float32 BGR, in reference lighting


def channel_max_absdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max over the colour channels of |a - b| (float32 HxWx3 → HxW), without numpy's slow axis reduce."""
    d = cv2.absdiff(a, b)
    return np.maximum(np.maximum(d[:, :, 0], d[:, :, 1]), d[:, :, 2])


class EmptyBackground:
    def __init__(self, mask: np.ndarray, params: BackgroundParams | None = None) -> None:
        self.params = params or BackgroundParams()
        self._mask = mask > 0
        self._learning: list[np.ndarray] = []
        self._learn_start: float | None = None
        self._reference: np.ndarray | None = None
        self._onset = np.full(mask.shape, np.nan, np.float32)
        self._last_differs = np.full(mask.shape, -np.inf, np.float32)
        self._differs = np.zeros(mask.shape, bool)
        self._settled = np.zeros(mask.shape, np.float32)
        self._steady: np.ndarray | None = None
        self._anchor: np.ndarray | None = None
        self._anchor_since = np.zeros(mask.shape, np.float32)
        self._last_t: float | None = None
        self._reference_grey: np.ndarray = np.zeros(mask.shape, np.float32)
        self._learned_at = 0.0
        self._absorb_at: float | None = None

    @property
    def ready(self) -> bool:
        return self._reference is not None

    def update(self, image: np.ndarray, t_s: float) -> ForegroundState | None:
        """Feed one blurred frame (float32 BGR, analysis size). None while still learning.

        Colour matters: an orange box on a grey floor can have the floor's exact grey level.
        """
        if self._reference is None:
            self._learn(image, t_s)
            return None
        p = self.params
        ref = self._reference
        empty = self._mask & np.isnan(self._onset)
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        gain = self._gain(grey, self._reference_grey, empty)
        diff = channel_max_absdiff(image, ref * np.float32(gain))
        differs = np.where(self._differs, diff > p.keep_threshold, diff > p.threshold) & self._mask
        self._differs = differs
        self._last_differs[differs] = t_s
        new = differs & np.isnan(self._onset)
        self._onset[new] = t_s
        expired = ~differs & (t_s - self._last_differs > p.grace_s)
        self._onset[expired] = np.nan
        dt = 0.0 if self._last_t is None else max(0.0, t_s - self._last_t)
        self._last_t = t_s
        normalised = image * np.float32(1.0 / gain)
        self._settle(normalised, t_s)
        rate = min(1.0, p.adapt_per_s * dt)
        if rate > 0:
            settle = (self._mask & np.isnan(self._onset) & ~differs).astype(np.uint8)
            cv2.accumulateWeighted(normalised, ref, rate, mask=settle)
            # pixels only slightly off (a local light change) drift back in slowly, or they would stay
            # "different" forever: nothing adapts under an onset
            weak = (self._mask & (diff < p.threshold) & ~np.isnan(self._onset)).astype(np.uint8)
            cv2.accumulateWeighted(normalised, ref, rate * 0.5, mask=weak)
        if self._absorb_at is not None and t_s >= self._absorb_at:
            self._absorb_ghosts(normalised)
        self._reference_grey = cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)
        return ForegroundState(
            differs=differs, onset=self._onset, settled=self._settled, diff=diff, gain=gain, reference=ref
        )

    def _settle(self, image: np.ndarray, t_s: float) -> None:
        """Track since when each pixel has shown (about) its current value: a person's legs walking over
        a spot and then the box put down there are two arrivals; the box's starts when it is put down.

        A value held for ``anchor_s`` becomes the pixel's anchor; when the pixel returns to its anchor
        after a jump (someone walked in front of the box), the anchor's arrival time is restored.
        """
        thr = self.params.settle_threshold
        if self._steady is None or self._anchor is None:
            self._steady = image.copy()
            self._anchor = image.copy()
            self._settled[:] = t_s
            self._anchor_since[:] = t_s
            return
        jumped = channel_max_absdiff(image, self._steady) > thr
        back = jumped & (channel_max_absdiff(image, self._anchor) <= thr)
        self._settled[jumped] = t_s
        np.copyto(self._settled, self._anchor_since, where=back)
        calm = ~jumped
        cv2.accumulateWeighted(image, self._steady, 0.3, mask=calm.astype(np.uint8))
        np.copyto(self._steady, image, where=jumped[:, :, None])
        promote = calm & (t_s - self._settled >= self.params.anchor_s)
        np.copyto(self._anchor, self._steady, where=promote[:, :, None])
        np.copyto(self._anchor_since, self._settled, where=promote)

    def _learn(self, image: np.ndarray, t_s: float) -> None:
        if self._learn_start is None:
            self._learn_start = t_s
        self._learning.append(image)
        if t_s - self._learn_start >= self.params.learn_s and len(self._learning) >= 3:
            self._reference = np.median(np.stack(self._learning), axis=0).astype(np.float32)
            self._reference_grey = cv2.cvtColor(self._reference, cv2.COLOR_BGR2GRAY)
            self._learning = []
            self._last_t = t_s
            self._learned_at = t_s
            self._absorb_at = t_s + self.params.absorb_after_s

    def _absorb_ghosts(self, image: np.ndarray) -> None:
        """Someone who stood in view through most of the learning window left a ghost in the median:
        pixels that have differed ever since learning ended are taken as background, once."""
        if self._reference is None:
            return
        ghost = self._mask & (self._onset <= self._learned_at + 1.0)
        self._reference[ghost] = image[ghost]
        self._onset[ghost] = np.nan
        self._differs[ghost] = False
        self._absorb_at = None

    @staticmethod
    def _gain(grey: np.ndarray, ref: np.ndarray, empty: np.ndarray) -> float:
        if empty.sum() < 50:
            return 1.0
        return float(np.median(grey[empty]) / max(1.0, float(np.median(ref[empty]))))
