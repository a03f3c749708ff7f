"""A learned empty corridor in a reference lighting, and which pixels differ from it now.

The background is the median of the first ``learn_s`` seconds (people walking through do not survive a
median). Every frame is brought back to the reference lighting before it is compared: the gain against
the background is measured on pixels that currently look empty, separately in a few bands of columns
and interpolated between them, so a global dimming and a side-to-side gradient are both divided out.
Pixels that look empty keep adapting slowly (what remains of a local light change); pixels under
something never do, so an item left for hours is never absorbed. Someone who stood in view through the
learning window leaves a ghost in the median: a pixel that has differed ever since learning and has
shown the same thing for ``ghost_still_s`` is the floor that was hidden then, and is taken as background.
Pixels still under someone walking (a far end of a corridor is hidden by passers-by most of the time)
wait for a quiet moment: taking a passer-by into the background would make the floor differ for good.
For the same reason, where people are known (a person detector), a ghost is never taken from a person
standing still: their pixels hold still as long as the floor's would.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class BackgroundParams:
    learn_s: float = 6.0
    absorb_after_s: float = 6.0
    ghost_still_s: float = 2.0  # a ghost pixel must show the same for this long before it is absorbed
    threshold: float = 18.0  # grey levels (after light compensation) that make a pixel differ
    keep_threshold: float = 12.0  # hysteresis: a differing pixel stays so until it is this close again
    adapt_per_s: float = 0.1  # fraction per second an empty pixel moves towards what it sees
    bands: int = 4  # column bands with their own gain
    min_band_pixels: int = 40


@dataclass(frozen=True)
class Foreground:
    image: np.ndarray  # float32 BGR in the reference lighting
    differs: np.ndarray  # bool: differs from the empty corridor now
    diff: np.ndarray  # float32 channel-max |image - background|
    gain: float  # median gain over the columns (for logs and snapshots)
    reference: np.ndarray  # the empty corridor, float32 BGR (not a copy: read, do not keep)


def channel_max(d: np.ndarray) -> np.ndarray:
    """max over the last axis of three colour channels (…x3 → …), without numpy's slow reduce over so
    short an axis."""
    return np.maximum(np.maximum(d[..., 0], d[..., 1]), d[..., 2])


def channel_max_absdiff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """max over the colour channels of |a - b| (float32 HxWx3 → HxW)."""
    return channel_max(cv2.absdiff(a, b))


class EmptyBackground:
    def __init__(self, mask: np.ndarray, params: BackgroundParams | None = None) -> None:
        self.params = params or BackgroundParams()
        self._mask = mask > 0
        h, w = mask.shape
        self._learning: list[np.ndarray] = []  # uint8 frames while learning
        self._learn_start: float | None = None
        self._reference: np.ndarray | None = None
        self._reference_grey: np.ndarray = np.zeros((h, w), np.float32)
        self._differs = np.zeros((h, w), bool)
        self._differs_since = np.full((h, w), np.nan, np.float32)
        self._last_t = 0.0
        self._learned_at = 0.0
        self._absorb_at: float | None = None
        self._last: np.ndarray | None = None
        self._still_since = np.zeros((h, w), np.float32)
        columns = np.nonzero(self._mask.any(axis=0))[0]
        lo, hi = (int(columns.min()), int(columns.max()) + 1) if columns.size else (0, w)
        edges = np.linspace(lo, hi, self.params.bands + 1).round().astype(int)
        self._bands = [(int(a), int(b)) for a, b in itertools.pairwise(edges) if b > a]
        self._columns = np.arange(w, dtype=np.float32)
        self._frame_gain = np.ones(w, np.float32)  # this frame's per-column gain ...
        self._differed = self._differs  # ... and what differed the frame before

    @property
    def ready(self) -> bool:
        return self._reference is not None

    @property
    def reference(self) -> np.ndarray:
        if self._reference is None:
            raise RuntimeError("background not learned yet")
        return self._reference

    def update(self, image: np.ndarray, t_s: float, people: np.ndarray | None = None) -> Foreground | None:
        """Feed one blurred frame (float32 BGR, analysis size). None while still learning.

        Colour matters: an orange box on a grey floor can have the floor's exact grey level. ``people``:
        pixels known to be people (a moment ago will do): a ghost is never taken from them (someone
        standing still where the crowd was while the background was learned is not the floor).
        """
        if self._reference is None:
            self._learn(image, t_s)
            return None
        p = self.params
        ref = self._reference
        gain = self._gain(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), self._mask & ~self._differs)
        self._frame_gain, self._differed = gain, self._differs  # for ``compare_again``
        normalised = image / gain[None, :, None]
        diff = channel_max_absdiff(normalised, ref)
        differs = self._differing(diff, self._differs)
        self._differs = differs
        self._differs_since[differs & np.isnan(self._differs_since)] = t_s
        self._differs_since[~differs] = np.nan
        rate = min(1.0, p.adapt_per_s * max(0.0, t_s - self._last_t))
        self._last_t = t_s
        if rate > 0:
            cv2.accumulateWeighted(normalised, ref, rate, mask=(self._mask & ~differs).astype(np.uint8))
        if self._last is not None:
            self._still_since[channel_max_absdiff(normalised, self._last) > p.keep_threshold] = t_s
        self._last = normalised
        if self._absorb_at is not None and t_s >= self._absorb_at:
            ghost = (self._differs_since <= self._learned_at + 1.0) & (
                t_s - self._still_since >= p.ghost_still_s
            )
            if people is not None:
                ghost &= ~people
            if ghost.any():
                ref[ghost] = normalised[ghost]
                self._differs[ghost] = False
                self._differs_since[ghost] = np.nan
                differs = differs & ~ghost
        self._reference_grey = cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)
        return Foreground(
            image=normalised, differs=differs, diff=diff, gain=float(np.median(gain)), reference=ref
        )

    def compare_again(self, fg: Foreground, region: np.ndarray, image: np.ndarray, t_s: float) -> Foreground:
        """``fg`` with ``region`` compared again, as ``update`` compared this frame, with ``image``'s
        pixels there (blurred, this frame's lighting) in place of the frame's: pixels whose first look was
        spoiled, say by a person's colour blurred into them. The background itself is not learned again."""
        if not region.any():
            return fg
        normalised = image / self._frame_gain[None, :, None]
        diff = channel_max_absdiff(normalised, fg.reference)
        differs = self._differing(diff, self._differed)
        out_image, out_diff, out_differs = fg.image.copy(), fg.diff.copy(), fg.differs.copy()
        out_image[region] = normalised[region]
        out_diff[region] = diff[region]
        out_differs[region] = differs[region]
        self._differs = self._differs.copy()  # ``fg.differs`` may be this very array: leave it as it was
        self._differs[region] = differs[region]
        since = self._differs_since
        since[region & out_differs & np.isnan(since)] = t_s
        since[region & ~out_differs] = np.nan
        return Foreground(
            image=out_image, differs=out_differs, diff=out_diff, gain=fg.gain, reference=fg.reference
        )

    def _differing(self, diff: np.ndarray, before: np.ndarray) -> np.ndarray:
        """Pixels that differ from the empty corridor by ``diff``: past ``threshold``, or past
        ``keep_threshold`` where they differed ``before`` (hysteresis), inside the mask."""
        p = self.params
        return np.where(before, diff > p.keep_threshold, diff > p.threshold) & self._mask

    def absorb(self, region: np.ndarray, image: np.ndarray) -> None:
        """Take ``region`` of ``image`` (reference lighting) as the empty corridor from now on."""
        ref = self.reference
        ref[region] = image[region]
        self._differs[region] = False
        self._differs_since[region] = np.nan
        self._reference_grey = cv2.cvtColor(ref, cv2.COLOR_BGR2GRAY)

    def _learn(self, image: np.ndarray, t_s: float) -> None:
        if self._learn_start is None:
            self._learn_start = t_s
        # kept as uint8 (the frames are blurred 0..255; half a grey level is far below the thresholds):
        # seconds of float32 frames plus the median's copies were the agent's start-up memory peak
        self._learning.append(np.clip(image, 0, 255).round().astype(np.uint8))
        if t_s - self._learn_start >= self.params.learn_s and len(self._learning) >= 3:
            self._reference = _median_frame(self._learning)
            self._reference_grey = cv2.cvtColor(self._reference, cv2.COLOR_BGR2GRAY)
            self._learning = []
            self._last_t = t_s
            self._learned_at = t_s
            self._absorb_at = t_s + self.params.absorb_after_s

    def _gain(self, grey: np.ndarray, empty: np.ndarray) -> np.ndarray:
        """Per-column gain of this frame against the background, from the pixels that look empty."""
        ratio = grey / np.maximum(self._reference_grey, 1.0)
        overall = float(np.median(ratio[empty])) if empty.sum() >= self.params.min_band_pixels else 1.0
        centres, gains = [], []
        for a, b in self._bands:
            sel = empty[:, a:b]
            if int(sel.sum()) < self.params.min_band_pixels:
                continue
            centres.append((a + b - 1) / 2)
            gains.append(float(np.median(ratio[:, a:b][sel])))
        if not gains:
            return np.full(self._columns.shape, max(overall, 1e-3), np.float32)
        out = np.interp(self._columns, centres, gains).astype(np.float32)
        return np.maximum(out, 1e-3)


def _median_frame(frames: list[np.ndarray], rows_per_chunk: int = 16) -> np.ndarray:
    """Per-pixel median of uint8 frames as float32, a few rows at a time to keep temporaries small."""
    stack = np.stack(frames)
    out = np.empty(stack.shape[1:], np.float32)
    for r in range(0, stack.shape[1], rows_per_chunk):
        out[r : r + rows_per_chunk] = np.median(stack[:, r : r + rows_per_chunk], axis=0)
    return out
