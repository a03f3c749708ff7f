"""The physics test on hand-made tracks: what falls passes, what flies, drifts or streaks does not."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edge.throw.floors import FloorScale
from edge.throw.trajectory import FallCriteria, Reason, TrackPoint, fit_fall, judge_track

FPS = 25.0
MPF = 3.0


def perspective_scale(floors: int = 12, ground: float = 700.0, first_band: float = 48.0) -> FloorScale:
    """A camera looking up: each floor band 4 % shorter than the one below."""
    rows = [ground]
    for k in range(floors):
        rows.append(rows[-1] - first_band * 0.96**k)
    return FloorScale(tuple(rows), MPF)


SCALE = perspective_scale()


def ballistic(
    z0: float,
    v0: float = 0.0,
    vx: float = 0.0,
    terminal: float = 1e9,
    x0: float = 640.0,
    noise_px: float = 0.6,
    seed: int = 0,
    scale: FloorScale = SCALE,
) -> list[TrackPoint]:
    """A throw from height ``z0`` metres until it lands, sampled at 25 fps, as pixel points."""
    rng = np.random.default_rng(seed)
    k = 9.81 / terminal**2
    z, vz, t, x = z0, v0, 0.0, x0
    ppm = scale.pixels_per_metre(float(scale.row_at(z0)))
    out: list[TrackPoint] = []
    sub = 20
    while z > 0 and t < 10:
        out.append(
            (round(t, 4), x + rng.normal(0, noise_px), float(scale.row_at(z)) + rng.normal(0, noise_px))
        )
        for _ in range(sub):
            vz += (-9.81 - k * abs(vz) * vz) / (FPS * sub)
            z += vz / (FPS * sub)
        x += vx * ppm / FPS
        t += 1 / FPS
    return out


def bird(vx_px: float, vy_px: float, bob_px: float, flap_hz: float, seconds: float = 3.0) -> list[TrackPoint]:
    return [
        (
            i / FPS,
            100 + vx_px * i / FPS,
            300 + vy_px * i / FPS + bob_px * math.sin(2 * math.pi * flap_hz * i / FPS),
        )
        for i in range(int(seconds * FPS))
    ]


def leaf(fall_mps: float, sway_px: float, seconds: float = 6.0) -> list[TrackPoint]:
    start = float(SCALE.row_at(25.0))
    ppm = SCALE.pixels_per_metre(start)
    return [
        (i / FPS, 500 + sway_px * math.sin(2 * math.pi * 0.4 * i / FPS), start + fall_mps * ppm * i / FPS)
        for i in range(int(seconds * FPS))
    ]


def streak(x: float, y: float, n: int, speed_px: float = 25.0) -> list[TrackPoint]:
    return [(i / FPS, x + 2 * i, y + speed_px * i) for i in range(n)]


FALLS = [
    pytest.param(ballistic(7 * MPF + 1.2), 8, id="drop-from-floor-8"),
    pytest.param(ballistic(1 * MPF + 1.4, vx=1.5), 2, id="drop-from-floor-2-sideways"),
    pytest.param(ballistic(11 * MPF + 1.0, terminal=20.0), 12, id="light-object-with-drag-floor-12"),
    pytest.param(ballistic(4 * MPF + 1.1, v0=-2.0), 5, id="thrown-down-floor-5"),
    pytest.param(ballistic(4 * MPF + 1.0, v0=3.0, noise_px=1.0, seed=3), 5, id="thrown-up-apex-same-floor"),
]


@pytest.mark.parametrize(("track", "floor"), FALLS)
def test_a_true_fall_passes_with_its_origin_floor(track: list[TrackPoint], floor: int) -> None:
    verdict = judge_track(track, SCALE)
    assert verdict.reason is Reason.FALL, verdict
    assert verdict.origin_floor == floor
    assert verdict.fit is not None and 4.5 < verdict.fit.g_mps2 < 16
    assert 0.5 <= verdict.confidence <= 1.0


def test_thrown_upward_the_origin_is_the_apex() -> None:
    """Released near the top of floor 5 and thrown up 4 m/s: the apex is in floor 6's band."""
    release = 4 * MPF + 2.6
    track = ballistic(release, v0=4.0, noise_px=0.3)
    verdict = judge_track(track, SCALE)
    assert verdict.is_fall and verdict.fit is not None and verdict.origin_t is not None
    apex_t = 4.0 / 9.81
    assert verdict.origin_t == pytest.approx(apex_t, abs=0.05)
    assert verdict.fit.height_at(verdict.origin_t) == pytest.approx(release + 16 / (2 * 9.81), abs=0.15)
    assert verdict.origin_floor == 6


NOT_FALLS = [
    pytest.param(bird(180, 0, 3, 5), {Reason.SMALL_DROP, Reason.RISING}, id="bird-horizontal-flapping"),
    pytest.param(bird(-120, -60, 2, 4), {Reason.RISING}, id="bird-climbing"),
    pytest.param(
        bird(150, 70, 4, 6),
        {Reason.SIDEWAYS, Reason.WEAK_ACCELERATION, Reason.POOR_FIT},
        id="bird-gliding-down",
    ),
    pytest.param(bird(20, 120, 6, 3), {Reason.WEAK_ACCELERATION, Reason.POOR_FIT}, id="bird-diving-flapping"),
    pytest.param(leaf(1.0, 30), {Reason.WEAK_ACCELERATION, Reason.POOR_FIT}, id="leaf-drifting"),
    pytest.param(leaf(2.5, 12, seconds=4), {Reason.WEAK_ACCELERATION}, id="paper-falling-steadily"),
    pytest.param(
        streak(300, 100, 25, speed_px=14), {Reason.WEAK_ACCELERATION}, id="raindrop-at-terminal-speed"
    ),
    pytest.param(
        [(i / FPS, 400.0, 300.0 + (i % 2)) for i in range(50)],
        {Reason.RISING, Reason.SMALL_DROP},
        id="flickering-window",
    ),
    pytest.param(
        [(i / FPS, 400.0 + 3 * math.sin(i), 300.0 + 2 * math.cos(i)) for i in range(40)],
        {Reason.RISING, Reason.SMALL_DROP},
        id="curtain",
    ),
]


@pytest.mark.parametrize(("track", "reasons"), NOT_FALLS)
def test_what_is_not_a_fall_is_rejected_for_the_right_reason(
    track: list[TrackPoint], reasons: set[Reason]
) -> None:
    verdict = judge_track(track, SCALE)
    assert not verdict.is_fall
    assert verdict.reason in reasons, verdict


def test_a_burst_of_rain_streaks_raises_nothing() -> None:
    rng = np.random.default_rng(7)
    burst = [
        streak(float(rng.uniform(0, 1280)), float(rng.uniform(0, 600)), int(rng.integers(1, 4)))
        for _ in range(200)
    ]
    verdicts = [judge_track(track, SCALE, blobs_per_frame=200) for track in burst]
    assert all(v.reason in {Reason.TOO_FEW_POINTS, Reason.TOO_SHORT} for v in verdicts)


def test_in_clutter_a_short_track_needs_more_points() -> None:
    """Seven points that would pass on a clear day are not enough while 200 streaks fall per frame."""
    track = ballistic(6 * MPF + 1.0)[20:27]
    assert judge_track(track, SCALE).is_fall
    assert judge_track(track, SCALE, blobs_per_frame=200).reason is Reason.TOO_FEW_POINTS


def test_leaf_acceleration_is_far_below_gravity() -> None:
    fit = fit_fall(leaf(1.2, 20), SCALE)
    assert abs(fit.g_mps2) < FallCriteria().g_min


@settings(max_examples=60, deadline=None)
@given(
    floor=st.integers(min_value=2, max_value=12),
    within=st.floats(min_value=0.3, max_value=2.4),
    v0=st.floats(min_value=-1.0, max_value=2.0),
    vx=st.floats(min_value=-2.0, max_value=2.0),
    terminal=st.floats(min_value=25.0, max_value=80.0),
)
def test_noise_free_falls_pass_and_find_their_floor(
    floor: int, within: float, v0: float, vx: float, terminal: float
) -> None:
    release = (floor - 1) * MPF + within
    apex = release + max(v0, 0.0) ** 2 / (2 * 9.81)
    track = ballistic(release, v0=v0, vx=vx, terminal=terminal, noise_px=0.0)
    verdict = judge_track(track, SCALE)
    assert verdict.is_fall, verdict
    assert verdict.origin_floor == SCALE.floor_at(apex)


def test_floor_scale_round_trips_rows_and_heights() -> None:
    heights = np.linspace(-2.0, 40.0, 50)
    assert np.allclose(SCALE.height_m(SCALE.row_at(heights)), heights)
    assert SCALE.floor_of_row(SCALE.rows[0] - 1) == 1
    assert SCALE.floor_of_row(SCALE.rows[3] - 1) == 4
    assert SCALE.floor_of_row(0.0) == SCALE.floors


@pytest.mark.parametrize(
    "late_s", [pytest.param(0.55, id="seen-0.55s-late"), pytest.param(0.8, id="seen-0.8s-late")]
)
def test_a_fall_first_seen_late_is_traced_back_to_its_floor(late_s: float) -> None:
    """A dark object in front of a dark window is seen only once it has dropped below the sill (and past
    another window): the first tracked point is a floor or two low; the fitted path's top is not."""
    release = 7 * MPF + 1.2  # floor 8
    track = ballistic(release, noise_px=0.5, seed=4)
    late = [p for p in track if p[0] >= late_s]
    assert SCALE.floor_of_row(late[0][2]) < 8
    verdict = judge_track(late, SCALE)
    assert verdict.is_fall and verdict.origin_t is not None
    assert verdict.origin_floor == 8
    assert verdict.origin_t == pytest.approx(0.0, abs=0.08)


def test_a_swaying_sheet_is_not_a_fall_though_it_drops_like_one() -> None:
    """Paper swinging on its way down: for half a second its drop fits gravity, its sideways motion
    does not (a thrown object drifts sideways at an almost constant speed)."""
    drop = ballistic(6 * MPF + 1.0, noise_px=0.3, seed=2)[:18]
    ppm = SCALE.pixels_per_metre(drop[0][2])
    swaying = [(t, x + 1.3 * ppm * math.sin(2 * math.pi * 0.5 * t), y) for t, x, y in drop]
    drifting = [(t, x + 1.5 * ppm * t, y) for t, x, y in drop]
    assert judge_track(drifting, SCALE).is_fall
    assert judge_track(swaying, SCALE).reason is Reason.SWAYING


ROOF_M = SCALE.floors * MPF


def test_a_flake_entering_the_frame_above_the_roof_is_not_a_fall() -> None:
    """Snow seen against the sky above the roof, entering at the top edge: its blob grows into view, so
    its centre seems to speed up from rest. Nothing thrown from the building stays above the roof."""
    sky = ballistic(ROOF_M + 20.0, noise_px=0.3)[:18]
    assert SCALE.height_m(sky[-1][2]) > ROOF_M
    assert judge_track(sky, SCALE).reason is Reason.ABOVE_ROOF
    # the same path down the facade is a fall: the roof is what rejects it
    assert judge_track(ballistic(ROOF_M - 0.5, noise_px=0.3)[:18], SCALE).is_fall


def test_thrown_up_from_the_top_floor_above_the_roof_line_is_still_a_fall() -> None:
    track = ballistic(ROOF_M - 0.4, v0=3.0, noise_px=0.3)
    verdict = judge_track(track, SCALE)
    assert verdict.is_fall, verdict
    assert verdict.origin_floor == SCALE.floors


def test_a_path_that_stops_in_mid_facade_is_not_a_fall_but_one_that_leaves_the_picture_is() -> None:
    """Seed 12014 (session 3): a leaf still at the top of its swing, then dropping a floor nearly as fast
    as a stone, lost 300 px above the ground. A thrown object ends on the ground or out of the picture."""
    fall = ballistic(30.0)
    lost = [p for p in fall if SCALE.height_m(p[2]) > 10.0]  # the last ten metres never seen
    view = (1280, 720)
    assert judge_track(fall, SCALE, view=view).is_fall
    assert judge_track(lost, SCALE).is_fall  # the path alone looks like a fall
    assert judge_track(lost, SCALE, view=view).reason is Reason.ENDS_ON_FACADE
    # the same points from a camera whose picture ends below the last one: it left the view
    assert judge_track(lost, SCALE, view=(1280, round(lost[-1][2]) + 10)).is_fall
    # or out of the side of the picture
    assert judge_track(lost, SCALE, view=(round(lost[-1][1]) + 10, 720)).is_fall
