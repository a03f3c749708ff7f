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
    _velocity: tuple[Track, tuple[float, float]] | None = field(default=None, repr=False, compare=False)

    @property
    def last(self) -> Track:
        return self.parts[-1]

    @property
    def t_last(self) -> float:
        return self.last.points[-1][0]

    def end_velocity(self) -> tuple[float, float]:
        """``end_velocity`` of the last piece, computed once per piece (an ended piece does not change,
        and a pending chain is asked again every frame)."""
        last = self.last
        if self._velocity is None or self._velocity[0] is not last:
            self._velocity = (last, end_velocity(last.points))
        return self._velocity[1]

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


@dataclass(frozen=True)
class Candidates:
    """The first point and size of each track that might continue a chain, as arrays (one frame)."""

    tracks: Sequence[Track]
    t0: np.ndarray
    x0: np.ndarray
    y0: np.ndarray
    size0: np.ndarray

    @classmethod
    def of(cls, tracks: Sequence[Track], after: float = -np.inf) -> Candidates:
        """Only tracks that began after ``after`` (nothing older can continue a pending chain)."""
        kept = [t for t in tracks if t.points[0][0] > after]
        first = np.array([t.points[0] for t in kept], np.float64).reshape(-1, 3)
        sizes = np.array([t.sizes[0] for t in kept], np.float64)
        return cls(kept, first[:, 0], first[:, 1], first[:, 2], sizes)


def find_successor(chain: Chain, candidates: Sequence[Track] | Candidates, s: LinkSettings) -> Track | None:
    """The track that begins where ``chain`` would be, within ``link_s`` after its last point; or None.

    Of several, the one nearest the predicted point (the first of equals)."""
    cands = candidates if isinstance(candidates, Candidates) else Candidates.of(candidates)
    return find_successors([chain], cands, s)[0]


def find_successors(
    chains: Sequence[Chain], cands: Candidates, s: LinkSettings, block: int = 128
) -> list[Track | None]:
    """``find_successor`` for many chains at once: in snow a thousand pieces end every half second, and
    as many begin. Chains sorted by x go in blocks; each block is matched, as arrays, against the
    candidates within the farthest x its gates can reach (sorted by x too, so a slice). A chain's own
    pieces never qualify: they all begin by its last point, and a continuation begins after it."""
    found: list[Track | None] = [None] * len(chains)
    if not chains or not cands.tracks:
        return found
    last = np.array([c.last.points[-1] for c in chains], np.float64).reshape(-1, 3)
    vel = np.array([c.end_velocity() for c in chains], np.float64).reshape(-1, 2)
    size = np.array([max(c.last.sizes[-1], 1.0) for c in chains], np.float64)
    by_x = np.argsort(last[:, 1], kind="stable")
    cx = np.argsort(cands.x0, kind="stable")
    xs = cands.x0[cx]
    span = s.link_s + 1e-6
    # farthest a candidate that passes the gate can begin from the chain's last x
    reach = (np.abs(vel[:, 0]) + s.gate_fraction * np.hypot(vel[:, 0], vel[:, 1])) * span + s.gate_px + 1.0
    for b0 in range(0, len(chains), block):
        rows = by_x[b0 : b0 + block]
        lo = np.searchsorted(xs, float(np.min(last[rows, 1] - reach[rows])), side="left")
        hi = np.searchsorted(xs, float(np.max(last[rows, 1] + reach[rows])), side="right")
        if hi <= lo:
            continue
        idx = cx[lo:hi]
        t0, x0, y0, s0 = cands.t0[idx], cands.x0[idx], cands.y0[idx], cands.size0[idx]
        t1, x1, y1 = last[rows, :1], last[rows, 1:2], last[rows, 2:3]
        vx, vy = vel[rows, :1], vel[rows, 1:2]
        dt = t0[None, :] - t1
        ok = (dt > 0.0) & (dt <= span)
        dist = np.hypot(x0[None, :] - (x1 + vx * dt), y0[None, :] - (y1 + vy * dt))
        ratio = s0[None, :] / size[rows][:, None]
        ok &= dist <= s.gate_px + s.gate_fraction * np.hypot(vx, vy) * dt
        ok &= (ratio >= 1.0 / s.size_ratio) & (ratio <= s.size_ratio)
        key = np.where(ok, dist, np.inf)
        nearest = key.min(axis=1)
        # the first of equals in the candidates' own order, as one at a time would pick
        first = np.where(key == nearest[:, None], idx[None, :], len(cands.tracks)).min(axis=1)
        for r, k, d in zip(rows, first, nearest, strict=True):
            if np.isfinite(d):
                found[int(r)] = cands.tracks[int(k)]
    return found


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
        done: list[Chain] = []
        if not self._pending:
            return done
        # a continuation begins after the chain's last point, and no pending chain ends before this
        ends = {key: chain.t_last for key, chain in self._pending.items()}
        earliest = min(ends.values())
        candidates = Candidates.of([*live, *ended], after=earliest)
        order = sorted(self._pending.items(), key=lambda kv: ends[kv[0]])
        succs = [None] * len(order) if final else find_successors([c for _, c in order], candidates, self.s)
        for (key, chain), succ in zip(order, succs, strict=True):
            if key not in self._pending:  # merged into a later piece already
                continue
            later = self._pending.get(succ.id) if succ is not None else None
            if later is not None and len(later.parts) == 1:  # the continuation has ended already too
                del self._pending[key]
                later.parts[:0] = chain.parts
            elif succ is not None and later is None and succ.id not in self._carried:
                del self._pending[key]
                self._carried[succ.id] = chain
            elif final or now >= ends[key] + self.s.link_s - 1e-6:
                del self._pending[key]
                done.append(chain)
        return done


def judge_chain(
    chain: Chain,
    scale: FloorScale,
    criteria: FallCriteria,
    links: LinkSettings,
    view: tuple[int, int] | None = None,
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
        verdict = judge_track(track.points, scale, criteria, track.mean_clutter, track.sizes, view)
        if verdict.is_fall:
            return track, verdict
    return None
