"""The tracker's batched parabola fits against ``np.polyfit``, one track at a time."""

from __future__ import annotations

import numpy as np

from edge.throw.tracker import FIT_POINTS, SmallBlobTracker, Track


def test_batched_fits_are_what_polyfit_gives_each_track() -> None:
    rng = np.random.default_rng(3)
    tracks = []
    for i in range(200):
        n = int(rng.integers(5, 30))
        t0 = float(rng.uniform(0, 100))
        # 25 fps with frames lost here and there; every other track began up to 6 s before its recent points
        steps = rng.choice([0.04, 0.04, 0.04, 0.08, 0.2], n)
        steps[0] = 0.0
        steps[1] += rng.uniform(0, 6.0) * (i % 2)
        t = t0 + np.cumsum(steps)
        y = 100 + rng.normal(0, 30) * (t - t0) + 0.5 * 9.8 * 40 * (t - t0) ** 2 + rng.normal(0, 1.5, n)
        x = 300 + rng.normal(0, 20) * (t - t0) + rng.normal(0, 1.5, n)
        points = list(zip(t.tolist(), x.tolist(), y.tolist(), strict=True))
        tracks.append(Track(i, points, [4.0] * n, [1] * n))
    SmallBlobTracker._fit(tracks)
    for tr in tracks:
        recent = np.asarray(tr.points[-FIT_POINTS:])
        rel = recent[:, 0] - tr.points[0][0]
        assert tr.coeff_y is not None and tr.coeff_x is not None
        # the same curve where it is used: predicted positions up to a second past the last point
        ahead = np.linspace(rel[0], rel[-1] + 1.0, 20)
        want_y = np.polyval(np.polyfit(rel, recent[:, 2], 2), ahead)
        want_x = np.polyval(np.polyfit(rel, recent[:, 1], 1), ahead)
        np.testing.assert_allclose(np.polyval(tr.coeff_y, ahead), want_y, atol=1e-6)
        np.testing.assert_allclose(np.polyval(tr.coeff_x, ahead), want_x, atol=1e-6)


def test_a_rainy_frame_counts_as_cluttered_though_its_streaks_were_dropped() -> None:
    """Regression (distractor seed 12002): with the streaks gone before tracking, chance links between
    what was left of the rain were judged as if the frame had been clear, and three became alerts."""
    from edge.throw.floors import FloorScale
    from edge.throw.foreground import Blob

    tracker = SmallBlobTracker(FloorScale((700.0, 640.0, 580.0), 3.0))
    blobs = [Blob(100.0 + 50 * i, 300.0, 4.0, 4.0, 12.0) for i in range(3)]
    tracker.step(blobs, 0.0, clutter=3 + 250)
    tracker.step([Blob(b.x, b.y + 2, 4.0, 4.0, 12.0) for b in blobs], 0.04)
    assert [tr.clutter for tr in tracker.live] == [[253, 3]] * 3
