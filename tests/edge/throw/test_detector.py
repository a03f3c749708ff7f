"""ThrowDetector on hand-made frames: a falling dot, a flying dot, a shaking camera, a lighting jump."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import pairwise

import cv2
import numpy as np
import pytest

from edge.synth.facade_effects import NoiseBank
from edge.throw.detector import ThrowDetector, ThrowSettings
from edge.throw.floors import FloorScale
from edge.throw.foreground import ForegroundFrame, ForegroundModel, ForegroundSettings
from sharpeyes.contract import AlertKind, ThrowAttributes

W, H, FPS = 320, 400, 25.0
# six floors of 3 m, each band 5 % shorter than the one below (a camera looking up)
ROWS = tuple(float(r) for r in np.cumsum([380, -60, -57, -54, -51, -48, -46]))
SCALE = FloorScale(ROWS, 3.0)

# draws on a frame in place at time t; what it returns is ignored (the lambdas return cv2's results)
Draw = Callable[[np.ndarray, float], object]


def facade(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((H, W, 3), 170, np.uint8)
    for r in ROWS:
        cv2.line(img, (0, int(r)), (W, int(r)), (140, 140, 140), 2)
    for r0, r1 in pairwise(ROWS):
        for x in range(30, W - 30, 70):
            cv2.rectangle(img, (x, int(r1 + 12)), (x + 30, int(r0 - 18)), (90, 80, 70), -1)
    noise = rng.normal(0, 2.0, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def run(frames: list[np.ndarray]) -> tuple[ThrowDetector, list]:
    det = ThrowDetector(SCALE)
    drafts = []
    for i, frame in enumerate(frames):
        drafts += det.process(frame, i / FPS)
    drafts += det.finish(len(frames) / FPS)
    return det, drafts


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """As on an NVR box: one OpenCV thread per camera (and fast on a loaded test machine)."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    yield
    cv2.setNumThreads(before)


def scene(duration_s: float, draw: Draw, seed: int = 1) -> list[np.ndarray]:
    base = facade()
    rng = np.random.default_rng(seed)
    noise = NoiseBank(rng, base.shape, 1.5, count=4)
    frames = []
    for i in range(int(duration_s * FPS)):
        frame = base.copy()
        draw(frame, i / FPS)
        frames.append(noise.apply(frame, rng))
    return frames


def falling_dot(
    release_z: float, t0: float, x: float = 200.0, v0: float = 0.0
) -> Callable[[np.ndarray, float], None]:
    def draw(frame: np.ndarray, t: float) -> None:
        if t < t0:
            return
        tau = t - t0
        z = release_z + v0 * tau - 4.905 * tau * tau
        if z > 0:
            cv2.circle(frame, (int(x), int(SCALE.row_at(z))), 3, (20, 20, 20), -1)

    return draw


def test_a_dot_dropped_from_floor_5_raises_one_alert_with_its_floor() -> None:
    release = 4 * 3.0 + 1.0  # floor 5 (1 = ground floor), a metre above its floor line
    _, drafts = run(scene(3.5, falling_dot(release, 0.8)))
    assert len(drafts) == 1
    d = drafts[0]
    assert d.kind is AlertKind.HIGH_ALTITUDE_THROW
    assert isinstance(d.attributes, ThrowAttributes)
    assert d.attributes.origin_floor == 5
    assert d.t_s == pytest.approx(0.8, abs=0.13)  # ts = when first seen
    traj = d.attributes.trajectory
    assert traj[0][0] == d.t_s and traj[-1][2] > traj[0][2] + 150  # pixels, going down
    assert d.snapshot_jpeg is not None and d.snapshot_jpeg[:2] == b"\xff\xd8"


def test_two_falls_two_alerts() -> None:
    a, b = falling_dot(13.0, 0.5, x=100), falling_dot(7.0, 3.0, x=250)
    _, drafts = run(scene(5.0, lambda f, t: (a(f, t), b(f, t))))
    assert sorted(d.attributes.origin_floor for d in drafts) == [3, 5]


NOT_FALLS = [
    pytest.param(
        lambda f, t: cv2.circle(f, (int(10 + 90 * t), int(150 + 6 * np.sin(30 * t))), 3, (20, 20, 20), -1),
        id="bird-flapping-across",
    ),
    pytest.param(
        lambda f, t: cv2.circle(f, (int(160 + 25 * np.sin(2 * t)), int(60 + 30 * t)), 3, (40, 120, 60), -1),
        id="leaf-drifting-down",
    ),
    pytest.param(
        lambda f, t: (
            cv2.rectangle(f, (100, 200), (130, 230), (120, 220, 250), -1) if int(t * 6) % 2 else None
        ),
        id="flickering-window",
    ),
]


@pytest.mark.parametrize("draw", NOT_FALLS)
def test_what_is_not_a_fall_raises_nothing(draw: Draw) -> None:
    _, drafts = run(scene(4.0, draw))
    assert drafts == []


def test_camera_shake_and_an_exposure_jump_raise_nothing() -> None:
    base = facade()
    rng = np.random.default_rng(3)
    frames = []
    for i in range(100):
        frame = base
        if 20 <= i < 40:  # shake: 2 px jitter
            dx, dy = rng.uniform(-2, 2, 2)
            frame = cv2.warpAffine(
                base, np.array([[1, 0, dx], [0, 1, dy]], np.float64), (W, H), borderMode=cv2.BORDER_REFLECT
            )
        if i >= 60:  # exposure jumps by 12 %
            frame = cv2.convertScaleAbs(frame, alpha=1.12)
        frames.append(frame)
    det, drafts = run(frames)
    assert drafts == []
    assert det.tracker.live == [] or all(len(t.points) < 50 for t in det.tracker.live)


def test_a_fall_during_shake_is_still_found() -> None:
    draw = falling_dot(13.0, 0.6)
    rng = np.random.default_rng(5)

    def shaky(frame: np.ndarray, t: float) -> None:
        draw(frame, t)
        if 1.0 <= t < 1.3:
            dx, dy = rng.uniform(-1.5, 1.5, 2)
            frame[:] = cv2.warpAffine(
                frame, np.array([[1, 0, dx], [0, 1, dy]], np.float64), (W, H), borderMode=cv2.BORDER_REFLECT
            )

    _, drafts = run(scene(3.0, shaky))
    assert [d.attributes.origin_floor for d in drafts] == [5]


def rain(count: int, seed: int = 5) -> Callable[[np.ndarray, float], None]:
    """Fresh one-pixel streaks every frame, as rain at 25 fps (what ``sharpeyes synth facade`` draws)."""
    rng = np.random.default_rng(seed)

    def draw(frame: np.ndarray, t: float) -> None:
        for _ in range(count):
            x, y, length = rng.uniform(0, W), rng.uniform(-20, H), rng.uniform(6, 30)
            angle = np.radians(rng.normal(8, 3))
            end = (int(x + length * np.sin(angle)), int(y + length * np.cos(angle)))
            cv2.line(frame, (int(x), int(y)), end, (230, 230, 230), 1)

    return draw


def fall_in_rain(settings: ThrowSettings | None = None) -> tuple[list, list[ForegroundFrame]]:
    """A 7 px dot dropped from floor 5 through 60 fresh streaks a frame (as dense as 430 at 1280×720);
    the drafts, and what the foreground model handed the tracker frame by frame."""
    streaks, dot = rain(60), falling_dot(4 * 3.0 + 1.0, 0.8)
    frames = scene(3.5, lambda f, t: (streaks(f, t), dot(f, t)))
    det = ThrowDetector(SCALE, settings)
    seen: list[ForegroundFrame] = []
    drafts = det.process(frames[0], 0.0)
    assert det._fg is not None
    update = det._fg.update

    def recording_update(frame: np.ndarray, t_s: float) -> ForegroundFrame:
        fg = update(frame, t_s)
        seen.append(fg)
        return fg

    det._fg.update = recording_update  # type: ignore[method-assign]
    for i, frame in enumerate(frames[1:], 1):
        drafts += det.process(frame, i / FPS)
    drafts += det.finish(len(frames) / FPS)
    return drafts, seen


def test_a_fall_through_heavy_rain_is_found_because_the_streaks_are_not_tracked() -> None:
    drafts, seen = fall_in_rain()
    assert [d.attributes.origin_floor for d in drafts] == [5]
    assert np.median([fg.streaks_dropped for fg in seen]) > 60
    assert np.median([len(fg.blobs) for fg in seen]) < 15
    # the same frames with every streak a blob: a hundred tracks a frame, and the fall is lost among them
    never = ThrowSettings(foreground=ForegroundSettings(rain_streaks=10**9))
    drafts, seen = fall_in_rain(never)
    assert np.median([len(fg.blobs) for fg in seen]) > 80
    assert drafts == []


def test_a_few_thin_streaks_are_not_rain_and_stay_blobs() -> None:
    model = ForegroundModel()
    frames = scene(1.0, rain(8))
    seen = [model.update(f, i / FPS) for i, f in enumerate(frames)]
    assert all(fg.streaks_dropped == 0 for fg in seen)
    assert np.median([len(fg.blobs) for fg in seen[1:]]) >= 5
