"""``sharpeyes synth facade``: a building facade seen from the street, objects thrown from its windows, and
everything else that moves on a facade (birds, leaves, rain, lights, curtains, shake), with ground truth.

A scene is a pure function of its seed and options; rendering it frame by frame is deterministic too,
so a benchmark can regenerate the exact clip a test or a bug report names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np

from edge.synth.distractors import Bird, Curtain, Drifter, Precipitation, WindowLight
from edge.synth.facade_effects import Lighting, NoiseBank, Shake, shift
from edge.synth.facade_layout import Building, layout_building, render_still
from edge.synth.falls import SHAPES, Flight, Throw, draw_flight, fly
from edge.synth.pinhole import TiltedPinhole


class Distractor(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def t0(self) -> float: ...
    @property
    def t1(self) -> float: ...

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None: ...


class Fixture(Protocol):
    @property
    def kind(self) -> str: ...

    def draw(self, frame: np.ndarray, t: float, rng: np.random.Generator) -> None: ...


@dataclass(frozen=True)
class SceneOptions:
    width: int = 1280
    height: int = 720
    fps: float = 25.0
    duration_s: float = 40.0
    falls: bool = True  # False: distractor-only footage, for the false-alarm rate
    distractors: bool = True
    perspective: bool | None = None  # None: chosen by the seed
    min_size_px: float = 3.0
    max_size_px: float = 14.0


@dataclass
class FacadeScene:
    seed: int
    options: SceneOptions
    camera: TiltedPinhole
    building: Building
    still: np.ndarray
    flights: list[Flight]
    moving: list[Distractor]
    fixtures: list[Fixture]
    lighting: Lighting
    shake: Shake
    noise: NoiseBank
    noise_sigma: float
    floor_rows: list[float] = field(default_factory=list)


def _poisson_times(rng: np.random.Generator, per_min: float, duration: float) -> list[float]:
    n = int(rng.poisson(per_min * duration / 60.0))
    return sorted(float(t) for t in rng.uniform(0, duration, n))


def _throws(
    rng: np.random.Generator,
    scene_wall_lum: float,
    camera: TiltedPinhole,
    building: Building,
    opts: SceneOptions,
) -> list[Flight]:
    flights: list[Flight] = []
    t = float(rng.uniform(0.8, 2.0))
    usable = [w for w in building.windows if 0 < float(np.mean(w.polygon[:, 0])) < opts.width]
    while usable:
        win = usable[int(rng.integers(len(usable)))]
        z0 = win.z0 + float(rng.uniform(0.1, 0.6))
        style = rng.uniform()
        vz = float(
            rng.uniform(-0.3, 0.3)
            if style < 0.4
            else rng.uniform(0.5, 3.5)
            if style < 0.8
            else rng.uniform(-2.5, -0.5)
        )
        size_px = float(rng.uniform(opts.min_size_px, opts.max_size_px))
        ppm = camera.focal_px / (camera.distance_m - 0.2)
        lum = float(rng.uniform(15, 75)) if scene_wall_lum > 128 else float(rng.uniform(185, 250))
        tint = rng.uniform(-15, 15, 3)
        throw = Throw(
            t0=t,
            floor=win.floor,
            x0=win.centre_x + float(rng.uniform(-0.4, 0.4)),
            z0=z0,
            d0=0.2,
            vx=float(rng.uniform(-2, 2)),
            vz=vz,
            vd=float(rng.uniform(0, 2.5)),
            terminal_mps=float(rng.uniform(18, 60)),
            size_m=size_px / ppm,
            size_px=size_px,
            shape=SHAPES[int(rng.integers(len(SHAPES)))],
            colour=tuple(float(c) for c in np.clip(lum + tint, 0, 255)),  # type: ignore[arg-type]
            spin_rps=float(rng.uniform(-2, 2)),
        )
        flight = fly(throw)
        if flight.t_land + 1.5 > opts.duration_s:
            break
        flights.append(flight)
        t = flight.t_land + float(rng.uniform(2.5, 5.0))
    return flights


def _moving(rng: np.random.Generator, camera: TiltedPinhole, opts: SceneOptions) -> list[Distractor]:
    w, h, dur = opts.width, opts.height, opts.duration_s
    ground = camera.row_of(0.0)
    ppm = camera.pixels_per_metre(10.0)
    out: list[Distractor] = []
    for t0 in _poisson_times(rng, 4.0, dur):
        kind = rng.uniform()
        vx = float(rng.uniform(60, 260)) * (1 if rng.uniform() < 0.5 else -1)
        vy = float(
            rng.normal(0, 10) if kind < 0.5 else -rng.uniform(30, 120) if kind < 0.8 else rng.uniform(20, 80)
        )
        if rng.uniform() < 0.2:  # takes off from somewhere in view
            x0 = float(rng.uniform(0.1 * w, 0.9 * w))
        else:
            x0 = -20.0 if vx > 0 else w + 20.0
        y0 = float(rng.uniform(0.05 * h, 0.8 * h))
        out.append(
            Bird(
                t0,
                t0 + (w + 40) / abs(vx),
                x0,
                y0,
                vx,
                vy,
                float(rng.uniform(2, 8)),
                float(rng.uniform(0.5, 4)),
                float(rng.uniform(4, 14)),
                float(rng.uniform(10, 70)),
            )
        )
    for drifter, rate, speed, size, colours in (
        ("leaf", 3.0, (0.4, 2.0), (3, 8), [(40, 120, 60), (30, 90, 140), (30, 150, 170)]),
        ("paper", 0.8, (0.8, 2.5), (6, 14), [(235, 235, 235), (200, 210, 220)]),
    ):
        for t0 in _poisson_times(rng, rate, dur):
            y0 = float(rng.uniform(0, 0.5 * h))
            fall = float(rng.uniform(*speed)) * ppm
            c = colours[int(rng.integers(len(colours)))]
            out.append(
                Drifter(
                    drifter,
                    t0,
                    t0 + (ground - y0) / fall,
                    float(rng.uniform(0, w)),
                    y0,
                    fall,
                    float(rng.uniform(5, 40)),
                    float(rng.uniform(0.2, 0.8)),
                    float(rng.uniform(*size)),
                    (float(c[0]), float(c[1]), float(c[2])),
                )
            )
    weather = rng.uniform()
    if weather < 0.5:
        weather_kind = "rain" if weather < 0.35 else "snow"
        length = float(rng.uniform(10, 60))
        t0 = float(rng.uniform(0, max(dur - length, 0.0)))
        density = w * h / (1280 * 720)  # streaks per frame scale with the image area
        out.append(
            Precipitation(
                weather_kind,
                t0,
                t0 + length,
                max(10, int(rng.integers(80, 400) * density)),
                float(rng.uniform(-15, 15)),
                int(rng.integers(1 << 30)),
            )
        )
    return out


def _fixtures(rng: np.random.Generator, building: Building, opts: SceneOptions) -> list[Fixture]:
    dur = opts.duration_s
    windows = [w for w in building.windows if 0 < float(np.mean(w.polygon[:, 0])) < opts.width]
    out: list[Fixture] = []
    picks = rng.choice(len(windows), size=min(len(windows), int(rng.integers(2, 8))), replace=False)
    for i, idx in enumerate(picks):
        poly = windows[int(idx)].polygon
        if i % 3 == 2:
            out.append(
                Curtain(
                    poly,
                    tuple(float(c) for c in rng.uniform(150, 240, 3)),  # type: ignore[arg-type]
                    float(rng.uniform(0.3, 1.5)),
                    float(rng.uniform(0.3, 1.0)),
                )
            )
            continue
        toggles = tuple(_poisson_times(rng, 4.0, dur))
        flicker = tuple(
            (t, t + float(rng.uniform(1, 4)), float(rng.uniform(3, 12)))
            for t in _poisson_times(rng, 0.6, dur)
        )
        out.append(
            WindowLight(
                poly, (float(rng.uniform(120, 180)), float(rng.uniform(200, 235)), 245.0), toggles, flicker
            )
        )
    return out


def build_scene(seed: int, opts: SceneOptions | None = None) -> FacadeScene:
    opts = opts or SceneOptions()
    rng = np.random.default_rng(seed)
    floors = int(rng.integers(6, 19))
    mpf = float(rng.uniform(2.8, 3.4))
    perspective = bool(rng.uniform() < 0.7) if opts.perspective is None else opts.perspective
    tilt = float(rng.uniform(6, 25)) if perspective else float(rng.uniform(0, 2))
    camera = TiltedPinhole.framing(
        distance_m=float(rng.uniform(25, 60)),
        height_m=1.5,
        tilt_deg=tilt,
        ground_row=float(rng.uniform(0.84, 0.94)) * opts.height,
        roof_row=float(rng.uniform(0.06, 0.2)) * opts.height,
        roof_z_m=floors * mpf,
        cx=opts.width / 2 + float(rng.uniform(-0.1, 0.1)) * opts.width,
    )
    building = layout_building(rng, camera, floors, mpf, float(rng.uniform(24, 60)))
    still, _glass = render_still(rng, camera, building, opts.width, opts.height)
    mid = camera.project(np.array([0.0]), np.array([building.roof_z / 2]))
    wall_lum = float(np.mean(still[int(np.clip(mid[1][0], 0, opts.height - 1)), :, :]))
    flights = _throws(rng, wall_lum, camera, building, opts) if opts.falls else []
    moving = _moving(rng, camera, opts) if opts.distractors else []
    fixtures = _fixtures(rng, building, opts) if opts.distractors else []
    dur = opts.duration_s
    lighting = Lighting(
        float(rng.uniform(0.02, 0.08)),
        float(rng.uniform(20, 90)),
        tuple(
            (t, float(rng.uniform(1, 4)), float(rng.uniform(-0.2, 0.2)))
            for t in _poisson_times(rng, 1.0, dur)
        ),
        tuple(
            (t, t + float(rng.uniform(0.5, 3)), float(rng.uniform(-0.1, 0.1)))
            for t in _poisson_times(rng, 0.5, dur)
        ),
    )
    shake = Shake(
        tuple(
            (t, t + float(rng.uniform(0.2, 1.2)), float(rng.uniform(1, 3)))
            for t in _poisson_times(rng, 1.0, dur)
        )
        if opts.distractors
        else ()
    )
    sigma = float(rng.uniform(1.5, 4.0))
    noise = NoiseBank(rng, (opts.height, opts.width, 3), sigma)
    rows = [camera.row_of(k * mpf) for k in range(floors + 1)]
    return FacadeScene(
        seed, opts, camera, building, still, flights, moving, fixtures, lighting, shake, noise, sigma, rows
    )


@dataclass(frozen=True)
class RenderedFrame:
    index: int
    t: float
    image: np.ndarray
    objects: dict[int, tuple[float, float]]  # fall index -> pixel centre, when in view


def render(scene: FacadeScene) -> Iterator[RenderedFrame]:
    """Every frame of the clip, in order, with where each falling object is."""
    opts = scene.options
    exposure = 0.5 / opts.fps
    for index in range(round(opts.duration_s * opts.fps)):
        t = index / opts.fps
        rng = np.random.default_rng([scene.seed, index])
        frame = scene.still.copy()
        for fixture in scene.fixtures:
            fixture.draw(frame, t, rng)
        objects: dict[int, tuple[float, float]] = {}
        for i, flight in enumerate(scene.flights):
            where = draw_flight(frame, flight, scene.camera, t, exposure)
            if where is not None:
                objects[i] = where
        for thing in scene.moving:
            if thing.kind != "rain" and thing.kind != "snow":
                thing.draw(frame, t, rng)
        gain = scene.lighting.gain(t)
        if abs(gain - 1.0) > 1e-3:
            frame = cv2.convertScaleAbs(frame, alpha=gain)
        for thing in scene.moving:
            if thing.kind in ("rain", "snow"):
                thing.draw(frame, t, rng)
        dx, dy = scene.shake.offset(t, rng)
        if dx or dy:
            frame = shift(frame, dx, dy)
            objects = {k: (x + dx, y + dy) for k, (x, y) in objects.items()}
        yield RenderedFrame(index, t, scene.noise.apply(frame, rng), objects)


def truth_document(
    scene: FacadeScene, tracks: dict[int, list[list[float]]], video_name: str
) -> dict[str, Any]:
    """Ground truth as written next to the clip: what a detector should report, per fall."""
    opts = scene.options
    falls = []
    for i, flight in enumerate(scene.flights):
        track = tracks.get(i, [])
        th = flight.throw
        falls.append(
            {
                "id": i,
                "start_t": round(th.t0, 4),
                "first_seen_t": track[0][0] if track else None,
                "end_t": track[-1][0] if track else None,
                "land_t": round(flight.t_land, 4),
                "landed_in_view": bool(track) and flight.t_land - track[-1][0] <= 1.5 / opts.fps,
                "origin_floor": th.floor,
                "release_height_m": round(th.z0, 3),
                "velocity_mps": {"x": round(th.vx, 3), "up": round(th.vz, 3), "out": round(th.vd, 3)},
                "terminal_mps": round(th.terminal_mps, 2),
                "size_px": round(th.size_px, 2),
                "shape": th.shape,
                "track": track,
            }
        )
    return {
        "schema": "sharpeyes.synth.facade/1",
        "seed": scene.seed,
        "video": video_name,
        "width": opts.width,
        "height": opts.height,
        "fps": opts.fps,
        "duration_s": opts.duration_s,
        "floors": scene.building.floors,
        "meters_per_floor": round(scene.building.meters_per_floor, 4),
        "floor_boundaries_y": [round(r, 2) for r in scene.floor_rows],
        "tilt_deg": round(float(np.degrees(scene.camera.tilt_rad)), 2),
        "noise_sigma": round(scene.noise_sigma, 2),
        "distractor_only": not opts.falls,
        "falls": falls,
        "distractors": [{"kind": d.kind, "t0": round(d.t0, 3), "t1": round(d.t1, 3)} for d in scene.moving]
        + [{"kind": f.kind} for f in scene.fixtures],
        "shake": [list(e) for e in scene.shake.episodes],
    }
