"""Tracks of small blobs, frame to frame, with a gate that expects things to fall.

Greedy nearest-neighbour association inside a per-track elliptic gate around a prediction: from the last
two points plus a gravity prior (pixels per metre from the floor lines) while a track is young, from a
fitted parabola once it has enough points. A track that looks like a fall may coast longer across a gap
(a frame lost to shake, the object crossing a window of its own colour), so one fall stays one track.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from edge.throw.floors import FloorScale
from edge.throw.foreground import Blob
from edge.throw.trajectory import G, TrackPoint

FIT_POINTS = 12  # a track's prediction follows its last this many points


@dataclass
class Track:
    id: int
    points: list[TrackPoint]
    sizes: list[float]
    clutter: list[int]  # blobs in each frame the track was seen in
    misses: int = 0
    last_t: float = 0.0
    coeff_y: np.ndarray | None = field(default=None, repr=False)  # parabola of y(t - t0) once long enough
    coeff_x: np.ndarray | None = field(default=None, repr=False)

    @property
    def duration(self) -> float:
        return self.points[-1][0] - self.points[0][0]

    @property
    def mean_clutter(self) -> float:
        return float(np.mean(self.clutter)) if self.clutter else 0.0

    @property
    def falling(self) -> bool:
        """Long enough, descending, and curving down: worth coasting across a gap."""
        return (
            self.coeff_y is not None
            and float(self.coeff_y[0]) > 0
            and self.points[-1][2] > self.points[0][2] + 8
        )


@dataclass(frozen=True)
class TrackerSettings:
    first_step_mps: float = 9.0  # how fast a newly seen object may already be falling
    sideways_mps: float = 4.0
    gate_px: float = 3.0  # measurement noise allowance, full-frame pixels
    young_misses: int = 2
    misses: int = 3
    coast_s: float = 0.5  # a falling track may be lost this long
    fit_after: int = 5
    max_track_s: float = 8.0


class SmallBlobTracker:
    def __init__(self, scale: FloorScale, settings: TrackerSettings | None = None) -> None:
        self.scale = scale
        self.s = settings or TrackerSettings()
        self.live: list[Track] = []
        self._next_id = 1

    def _gates(self, t: float) -> np.ndarray:
        """Per live track: predicted (x, y) at ``t`` and the gate half-widths (gx, gy); shape (n, 4).

        Vectorised over the young tracks, which are most of them in rain or snow; a track with a fitted
        parabola predicts from it.
        """
        s = self.s
        n = len(self.live)
        last = np.array([tr.points[-1] for tr in self.live])
        prev = np.array([tr.points[-2] if len(tr.points) > 1 else tr.points[-1] for tr in self.live])
        dt = t - last[:, 0]
        ppm = self.scale.pixels_per_metre_at(last[:, 2])
        g_px = G * ppm
        one = np.array([len(tr.points) == 1 for tr in self.live])
        span = np.maximum(last[:, 0] - prev[:, 0], 1e-3)
        vx = np.where(one, 0.0, (last[:, 1] - prev[:, 1]) / span)
        vy = np.where(one, 0.0, (last[:, 2] - prev[:, 2]) / span)
        step = np.hypot(vx, vy) * dt
        reach = s.first_step_mps * dt * ppm
        out = np.empty((n, 4))
        out[:, 0] = last[:, 1] + vx * dt
        out[:, 1] = np.where(one, last[:, 2] + reach / 2, last[:, 2] + vy * dt + 0.4 * g_px * dt * dt)
        out[:, 2] = np.where(
            one, s.gate_px + s.sideways_mps * dt * ppm, s.gate_px + 0.3 * step + 2 * dt * ppm
        )
        out[:, 3] = np.where(
            one, s.gate_px + reach / 2, s.gate_px + 0.4 * step + 0.5 * g_px * dt * dt + 2 * dt * ppm
        )
        fitted = [i for i, tr in enumerate(self.live) if tr.coeff_y is not None and tr.coeff_x is not None]
        if fitted:
            f = np.array(fitted)
            cy = np.array([self.live[i].coeff_y for i in fitted])
            cx = np.array([self.live[i].coeff_x for i in fitted])
            rel = t - np.array([self.live[i].points[0][0] for i in fitted])
            vyf = np.abs(2 * cy[:, 0] * rel + cy[:, 1]) * dt[f]
            out[f, 0] = cx[:, 0] * rel + cx[:, 1]
            out[f, 1] = (cy[:, 0] * rel + cy[:, 1]) * rel + cy[:, 2]
            out[f, 2] = s.gate_px + 0.15 * vyf + 2 * dt[f] * ppm[f]
            out[f, 3] = s.gate_px + 0.25 * vyf + 4 * dt[f] * ppm[f]
        return out

    def step(self, blobs: list[Blob], t: float, clutter: int | None = None) -> list[Track]:
        """Associate this frame's blobs; return the tracks that ended. ``clutter``: how many blobs the
        frame had before any were dropped (rain streaks), default ``len(blobs)``."""
        crowd = len(blobs) if clutter is None else clutter
        assigned: set[int] = set()
        if self.live and blobs:
            gates = self._gates(t)
            bx = np.array([b.x for b in blobs])
            by = np.array([b.y for b in blobs])
            cost = ((bx[None, :] - gates[:, 0:1]) / gates[:, 2:3]) ** 2 + (
                (by[None, :] - gates[:, 1:2]) / gates[:, 3:4]
            ) ** 2
            ti, bi = np.nonzero(cost <= 1.0)
            order = np.argsort(cost[ti, bi], kind="stable")
            taken_tracks: set[int] = set()
            for k in order:
                a, b = int(ti[k]), int(bi[k])
                if a in taken_tracks or b in assigned:
                    continue
                taken_tracks.add(a)
                assigned.add(b)
                self._extend(self.live[a], blobs[b], t, crowd)
            self._fit([self.live[a] for a in taken_tracks if len(self.live[a].points) >= self.s.fit_after])
        ended: list[Track] = []
        still: list[Track] = []
        for tr in self.live:
            if tr.last_t != t:
                tr.misses += 1
            if self._over(tr, t):
                ended.append(tr)
            else:
                still.append(tr)
        for b, blob in enumerate(blobs):
            if b not in assigned:
                still.append(
                    Track(self._next_id, [(t, blob.x, blob.y)], [max(blob.w, blob.h)], [crowd], last_t=t)
                )
                self._next_id += 1
        self.live = still
        return ended

    def skip(self, t: float) -> list[Track]:
        """A frame with no usable blobs (whole-image motion): the tracks age as on a frame with no blobs."""
        return self.step([], t)

    def _over(self, tr: Track, t: float) -> bool:
        if tr.duration > self.s.max_track_s:
            return True
        if tr.misses == 0:
            return False
        if len(tr.points) < 3:
            return tr.misses > self.s.young_misses
        if tr.falling:
            return t - tr.last_t > self.s.coast_s
        return tr.misses > self.s.misses

    def _extend(self, tr: Track, blob: Blob, t: float, clutter: int) -> None:
        tr.points.append((t, blob.x, blob.y))
        tr.sizes.append(max(blob.w, blob.h))
        tr.clutter.append(clutter)
        tr.last_t = t
        tr.misses = 0

    @staticmethod
    def _fit(tracks: list[Track]) -> None:
        """Refit each track's parabola y(t) and line x(t) to its last ``FIT_POINTS`` points, all at once.

        In rain or snow some 900 tracks are extended every frame; one ``np.polyfit`` each was most of the
        tracker's time. Least squares by the normal equations on the padded points, with time centred and
        scaled per track (well conditioned), then the coefficients brought back to time since the track
        began, as ``np.polyfit`` gave them.
        """
        if not tracks:
            return
        pts = np.zeros((len(tracks), FIT_POINTS, 3))
        w = np.zeros((len(tracks), FIT_POINTS))
        t0 = np.empty(len(tracks))
        for i, tr in enumerate(tracks):
            recent = tr.points[-FIT_POINTS:]
            pts[i, : len(recent)] = recent
            w[i, : len(recent)] = 1.0
            t0[i] = tr.points[0][0]
        rel = pts[:, :, 0] - t0[:, None]
        n = w.sum(axis=1)
        centre = (rel * w).sum(axis=1) / n
        half = np.maximum(np.abs((rel - centre[:, None]) * w).max(axis=1), 1e-9)
        u = (rel - centre[:, None]) / half[:, None] * w
        basis = np.stack([u * u, u, w], axis=2)  # (n, k, 3): padded rows are all zero
        gram = np.einsum("nki,nkj->nij", basis, basis)
        a2, a1, a0 = np.linalg.solve(gram, np.einsum("nki,nk->ni", basis, pts[:, :, 2])[..., None])[..., 0].T
        lin = basis[:, :, 1:]
        b1, b0 = np.linalg.solve(
            np.einsum("nki,nkj->nij", lin, lin), np.einsum("nki,nk->ni", lin, pts[:, :, 1])[..., None]
        )[..., 0].T
        # y = a2 u² + a1 u + a0 with u = (rel - c) / h, as a polynomial in rel
        c, h = centre, half
        cy = np.stack([a2 / h**2, a1 / h - 2 * a2 * c / h**2, a2 * c * c / h**2 - a1 * c / h + a0], axis=1)
        cx = np.stack([b1 / h, b0 - b1 * c / h], axis=1)
        for i, tr in enumerate(tracks):
            tr.coeff_y = cy[i]
            tr.coeff_x = cx[i]

    def flush(self) -> list[Track]:
        ended, self.live = self.live, []
        return ended
