"""Pieces of one path judged together: a swinging sheet cut into pieces is not a fall, though one piece
fits a gravity parabola; a real fall, whole or broken, still is."""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest

from edge.throw.chains import (
    Candidates,
    Chain,
    ChainLinker,
    LinkSettings,
    end_velocity,
    find_successor,
    find_successors,
    judge_chain,
)
from edge.throw.tracker import Track
from edge.throw.trajectory import FallCriteria, Reason, TrackPoint, judge_track
from tests.edge.throw.test_trajectory import FPS, MPF, SCALE, ballistic

LINKS = LinkSettings()
CRITERIA = FallCriteria()
COAST_S = 0.5  # the tracker coasts a falling track this long before ending it


def paper(amplitude_px: float = 30.0, sway_hz: float = 0.5, fall_mps: float = 1.5) -> list[TrackPoint]:
    """A sheet of paper as the facade generator draws it: at its terminal speed, swinging sideways, its
    height swinging twice per sideways swing."""
    start = float(SCALE.row_at(25.0))
    ppm = SCALE.pixels_per_metre(start)
    out: list[TrackPoint] = []
    for i in range(int(6 * FPS)):
        t = i / FPS
        x = 500 + amplitude_px * math.sin(2 * math.pi * sway_hz * t)
        y = start + fall_mps * ppm * t + 0.3 * amplitude_px * math.sin(4 * math.pi * sway_hz * t)
        out.append((round(t, 4), x, y))
    return out


def pieces(points: list[TrackPoint], cuts: list[int], gap: int = 0) -> list[Track]:
    """``points`` cut into tracks at ``cuts``, the object unseen for ``gap`` frames after each cut."""
    bounds = [0, *cuts, len(points)]
    out = []
    for k, (a, b) in enumerate(pairwise(bounds)):
        pts = points[a + (gap if k else 0) : b]
        out.append(Track(k + 1, pts, [6.0] * len(pts), [3] * len(pts), last_t=pts[-1][0]))
    return out


def run_linker(tracks: list[Track], coast_s: float = COAST_S) -> list[tuple[float, Chain]]:
    """Feed ``tracks`` to a ``ChainLinker`` frame by frame as the tracker would: live from their first
    point, ended ``coast_s`` after their last; return (decision time, chain) for each chain decided."""
    linker = ChainLinker(LINKS)
    end = max(tr.points[-1][0] for tr in tracks) + coast_s + LINKS.link_s + 1.0
    decided: list[tuple[float, Chain]] = []
    done: set[int] = set()
    for i in range(round(end * FPS) + 1):
        now = i / FPS
        ended = [tr for tr in tracks if tr.id not in done and tr.points[-1][0] + coast_s <= now + 1e-9]
        done.update(tr.id for tr in ended)
        live = [tr for tr in tracks if tr.id not in done and tr.points[0][0] <= now + 1e-9]
        decided += [(now, chain) for chain in linker.update(ended, live, now)]
    decided += [(end, chain) for chain in linker.update([], [], end, final=True)]
    return decided


def test_a_swinging_sheet_whose_half_swing_fits_a_parabola_for_a_second_is_rejected() -> None:
    path = paper()
    tracks = pieces(path, [10, 35])
    middle = judge_track(tracks[1].points, SCALE, CRITERIA)
    # the trap: taken alone, the second piece (1 s) is a fall with about g
    assert middle.is_fall and middle.fit is not None and 7.0 < middle.fit.g_mps2 < 12.0
    decided = run_linker(tracks)
    assert len(decided) == 1 and len(decided[0][1].parts) == 3
    assert judge_chain(decided[0][1], SCALE, CRITERIA, LINKS) is None
    merged = decided[0][1].merged(LINKS.keep_s)
    assert judge_track(merged.points, SCALE, CRITERIA).reason is Reason.WEAK_ACCELERATION


def test_the_sheet_is_linked_across_short_gaps_where_it_was_not_seen() -> None:
    """The sheet vanishes for a few frames (against a window of its own colour) between the pieces."""
    tracks = pieces(paper(), [10, 35, 60], gap=4)
    decided = run_linker(tracks, coast_s=0.16)
    assert [len(chain.parts) for _, chain in decided] == [4]
    assert judge_chain(decided[0][1], SCALE, CRITERIA, LINKS) is None


@pytest.mark.parametrize(
    ("vx", "floor"),
    [
        pytest.param(0.0, 8, id="dropped-straight"),
        pytest.param(0.3, 8, id="small-sideways-speed"),
        pytest.param(1.8, 8, id="thrown-sideways"),
    ],
)
def test_a_real_fall_broken_in_two_is_judged_whole_and_passes(vx: float, floor: int) -> None:
    path = ballistic(7 * MPF + 1.2, vx=vx)
    tracks = pieces(path, [len(path) // 2], gap=2)
    decided = run_linker(tracks)
    assert len(decided) == 1 and len(decided[0][1].parts) == 2
    judged = judge_chain(decided[0][1], SCALE, CRITERIA, LINKS)
    assert judged is not None
    track, verdict = judged
    assert verdict.origin_floor == floor
    assert track.points[0] == path[0]  # first seen: the start of the first piece


def test_a_real_fall_is_decided_no_later_than_its_coast_and_the_link_window() -> None:
    path = ballistic(5 * MPF + 1.0, vx=0.3)
    decided = run_linker(pieces(path, []))
    assert len(decided) == 1
    when, chain = decided[0]
    assert when <= path[-1][0] + max(COAST_S, LINKS.link_s) + 1.5 / FPS
    assert judge_chain(chain, SCALE, CRITERIA, LINKS) is not None


@pytest.mark.parametrize(
    ("on_path", "parts"),
    [
        pytest.param(True, 2, id="where-it-would-be-next"),  # linked, then judged without it
        pytest.param(False, 1, id="where-it-landed"),  # not where a falling object goes next
    ],
)
def test_a_stray_blob_after_the_fall_does_not_cost_the_fall(on_path: bool, parts: int) -> None:
    """A raindrop or a noise blob near the end of a fall, seen for three frames."""
    path = ballistic(6 * MPF + 1.0, vx=0.2)
    t1, x1, y1 = path[-1]
    vx, vy = end_velocity(path)
    dt = 0.08
    x, y = (x1 + vx * dt, y1 + vy * dt) if on_path else (x1 + 1.0, y1 + 2.0)
    stray_pts = [(t1 + dt + k / FPS, x, y + k) for k in range(3)]
    fall = Track(1, path, [6.0] * len(path), [3] * len(path), last_t=t1)
    stray = Track(2, stray_pts, [5.0] * 3, [3] * 3, last_t=stray_pts[-1][0])
    decided = run_linker([fall, stray])
    chains = [chain for _, chain in decided if chain.parts[0] is fall]
    assert len(chains) == 1 and len(chains[0].parts) == parts
    judged = judge_chain(chains[0], SCALE, CRITERIA, LINKS)
    assert judged is not None and judged[1].origin_floor == 7
    assert judged[0].points[: len(path)] == path  # with the stray too, if it lies on the path


@pytest.mark.parametrize(
    ("dt", "dx", "size", "linked"),
    [
        pytest.param(0.04, 1.0, 6.0, True, id="next-frame-same-place"),
        pytest.param(0.04, 60.0, 6.0, False, id="next-frame-far-away"),
        pytest.param(0.7, 1.0, 6.0, False, id="too-late"),
        pytest.param(0.04, 1.0, 30.0, False, id="five-times-bigger"),
        pytest.param(-0.04, 1.0, 6.0, False, id="began-before-the-end"),
    ],
)
def test_what_counts_as_a_continuation(dt: float, dx: float, size: float, linked: bool) -> None:
    pts = [(k / FPS, 300.0, 200.0 + 2 * k) for k in range(10)]
    t1, x1, y1 = pts[-1]
    first = Track(1, pts, [6.0] * 10, [1] * 10, last_t=t1)
    # where the piece was heading (2 px per frame down), displaced sideways by dx
    cand = Track(2, [(t1 + dt, x1 + dx, y1 + 50 * dt)], [size], [1], last_t=t1 + dt)
    assert (find_successor(Chain([first]), [cand], LINKS) is cand) is linked


def _one_at_a_time(chain: Chain, candidates: list[Track], s: LinkSettings) -> Track | None:
    """The plain definition: every candidate in turn, the nearest that passes (the first of equals)."""
    t1, x1, y1 = chain.last.points[-1]
    vx, vy = end_velocity(chain.last.points)
    best: tuple[float, Track] | None = None
    for cand in candidates:
        t0, x0, y0 = cand.points[0]
        dt = t0 - t1
        if not 0.0 < dt <= s.link_s + 1e-6:
            continue
        dist = math.hypot(x0 - (x1 + vx * dt), y0 - (y1 + vy * dt))
        ratio = cand.sizes[0] / max(chain.last.sizes[-1], 1.0)
        if dist > s.gate_px + s.gate_fraction * math.hypot(vx, vy) * dt:
            continue
        if not 1.0 / s.size_ratio <= ratio <= s.size_ratio:
            continue
        if best is None or dist < best[0]:
            best = (dist, cand)
    return None if best is None else best[1]


@pytest.mark.parametrize("block", [1, 7, 128])
def test_many_chains_at_once_pick_what_one_at_a_time_picks(block: int) -> None:
    """Snow: hundreds of short pieces ending and beginning near each other. The batched search (chains
    in x-sorted blocks against an x window of candidates) must choose exactly as the plain loop."""
    rng = np.random.default_rng(3)
    chains, candidates = [], []
    for k in range(300):
        x, y, vx, vy = rng.uniform(0, 1280), rng.uniform(0, 720), rng.normal(0, 40), rng.uniform(50, 400)
        pts = [(1.0 + i / FPS, x + vx * i / FPS, y + vy * i / FPS) for i in range(4)]
        chains.append(Chain([Track(k, pts, [float(rng.uniform(2, 9))] * 4, [9] * 4, last_t=pts[-1][0])]))
    for k in range(600):
        t0 = 1.12 + float(rng.uniform(-0.1, 0.7))
        pt = (t0, float(rng.uniform(0, 1280)), float(rng.uniform(0, 720)))
        candidates.append(Track(1000 + k, [pt], [float(rng.uniform(1, 12))], [9], last_t=t0))
    # some exact continuations, and two candidates at the same spot (the first of equals wins)
    for chain in chains[::10]:
        t1, x1, y1 = chain.last.points[-1]
        vx, vy = end_velocity(chain.last.points)
        twin = (t1 + 0.08, x1 + vx * 0.08 + 2.0, y1 + vy * 0.08)
        candidates += [
            Track(5000 + len(candidates) + i, [twin], [5.0], [9], last_t=twin[0]) for i in range(2)
        ]
    expected = [_one_at_a_time(c, candidates, LINKS) for c in chains]
    got = find_successors(chains, Candidates.of(candidates), LINKS, block=block)
    assert sum(e is not None for e in expected) >= 30
    assert all(g is e for g, e in zip(got, expected, strict=True))
