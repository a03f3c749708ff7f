"""One object, one path: pieces of track that continue each other are judged together.

The tracker's gate expects a fall, so anything that moves otherwise is cut into pieces: a sheet of paper or
a leaf swinging down a facade becomes a new track every time its motion leaves the predicted parabola,
and each piece lasts a second or less. A piece taken alone can fit a gravity parabola (the half swing
where the sheet speeds up downwards); the whole path cannot: the sheet is at its terminal speed. So a
track that ends is not judged at once: for ``link_s`` after its last point, a track that begins where it
would have been (its end velocity carried on) continues it, and the decision waits for the end of the
continuation. A real fall ends by landing or leaving the view; nothing moves on from its last point, and
if a broken fall is continued, the whole fall is judged, which is right too.

The decision is at most ``link_s`` later than without linking, and not later at all for a track that
already coasted that long (the tracker coasts a falling track for half a second).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from edge.throw.floors import FloorScale
from edge.throw.tracker import Track
from edge.throw.trajectory import FallCriteria, FallVerdict, TrackPoint, judge_track


@dataclass(frozen=True)
class LinkSettings:
    link_s: float = 0.5  # how long after a track's last point a continuation may begin
    gate_px: float = 8.0  # how far from the predicted point, plus ``gate_fraction`` of the motion
    gate_fraction: float = 0.5  # a swinging sheet curves away from the straight prediction
    size_ratio: float = 3.0  # the continuation's first blob against the piece's last one
    keep_s: float = 10.0  # a chain is judged on its last ``keep_s`` (a drifter may go on for minutes)
    min_own_points: int = 6  # a shorter last piece may be a stray blob: judge the chain without it too


@dataclass
class Chain:
    """Consecutive pieces of one object's path, oldest first."""

    parts: list[Track] = field(default_factory=list)

    @property
    def last(self) -> Track:
        return self.parts[-1]

    @property
    def t_last(self) -> float:
        return self.last.points[-1][0]

    def merged(self, keep_s: float, drop_last: bool = False) -> Track:
        """The pieces as one track (its last ``keep_s`` seconds), with the last piece's id."""
        parts = self.parts[:-1] if drop_last else self.parts
        points: list[TrackPoint] = [p for part in parts for p in part.points]
        sizes = [s for part in parts for s in part.sizes]
        clutter = [c for part in parts for c in part.clutter]
        start = next(i for i, p in enumerate(points) if p[0] >= points[-1][0] - keep_s)
        return Track(parts[-1].id, points[start:], sizes[start:], clutter[start:], last_t=points[-1][0])


def end_velocity(points: Sequence[TrackPoint]) -> tuple[float, float]:
    """Pixels per second (x, y) over the last five points: where the object was heading when lost."""
    arr = np.asarray(points[-5:], dtype=np.float64)
    if len(arr) < 2 or arr[-1, 0] <= arr[0, 0]:
        return 0.0, 0.0
    (vx, vy), _ = np.polyfit(arr[:, 0] - arr[-1, 0], arr[:, 1:], 1)
    return float(vx), float(vy)


def find_successor(chain: Chain, candidates: Sequence[Track], s: LinkSettings) -> Track | None:
    """The track that begins where ``chain`` would be, within ``link_s`` after its last point; or None."""
    t1, x1, y1 = chain.last.points[-1]
    vx, vy = end_velocity(chain.last.points)
    own = {id(part) for part in chain.parts}
    best: tuple[float, Track] | None = None
    for cand in candidates:
        if id(cand) in own:
            continue
        t0, x0, y0 = cand.points[0]
        dt = t0 - t1
        if not 0.0 < dt <= s.link_s + 1e-6:
            continue
        dist = float(np.hypot(x0 - (x1 + vx * dt), y0 - (y1 + vy * dt)))
        if dist > s.gate_px + s.gate_fraction * float(np.hypot(vx, vy)) * dt:
            continue
        ratio = cand.sizes[0] / max(chain.last.sizes[-1], 1.0)
        if not 1.0 / s.size_ratio <= ratio <= s.size_ratio:
            continue
        if best is None or dist < best[0]:
            best = (dist, cand)
    return None if best is None else best[1]


class ChainLinker:
    """Holds ended tracks until it is known whether something continues them; returns finished chains."""

    def __init__(self, settings: LinkSettings | None = None) -> None:
        self.s = settings or LinkSettings()
        self._carried: dict[int, Chain] = {}  # live track id -> the chain it continues
        self._pending: dict[int, Chain] = {}  # last track id -> an ended chain waiting for a continuation

    def update(self, ended: list[Track], live: list[Track], now: float, final: bool = False) -> list[Chain]:
        """Take this frame's ended tracks; return the chains decided now (nothing continued them)."""
        for track in ended:
            chain = self._carried.pop(track.id, None) or Chain()
            chain.parts.append(track)
            self._pending[track.id] = chain
        candidates = [*live, *ended]
        done: list[Chain] = []
        for key, chain in sorted(self._pending.items(), key=lambda kv: kv[1].t_last):
            if key not in self._pending:  # merged into a later piece already
                continue
            succ = None if final else find_successor(chain, candidates, self.s)
            later = self._pending.get(succ.id) if succ is not None else None
            if later is not None and len(later.parts) == 1:  # the continuation has ended already too
                del self._pending[key]
                later.parts[:0] = chain.parts
            elif succ is not None and later is None and succ.id not in self._carried:
                del self._pending[key]
                self._carried[succ.id] = chain
            elif final or now >= chain.t_last + self.s.link_s - 1e-6:
                del self._pending[key]
                done.append(chain)
        return done


def judge_chain(
    chain: Chain, scale: FloorScale, criteria: FallCriteria, links: LinkSettings
) -> tuple[Track, FallVerdict] | None:
    """The physics test on the whole chain: the fall as one track with its verdict, or None.

    A short last piece may be a stray blob where the object landed (noise, a raindrop), so a chain that
    fails with it is judged without it as well; a long last piece is part of the path and stays.
    """
    tries = [chain.merged(links.keep_s)]
    if len(chain.parts) > 1 and len(chain.last.points) < links.min_own_points:
        tries.append(chain.merged(links.keep_s, drop_last=True))
    for track in tries:
        if len(track.points) < 3:
            continue
        verdict = judge_track(track.points, scale, criteria, track.mean_clutter, track.sizes)
        if verdict.is_fall:
            return track, verdict
    return None
