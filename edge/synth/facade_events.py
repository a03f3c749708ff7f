"""What happens in a facade scene, drawn from its seed: throws from windows, and everything else that
moves (birds, leaves, paper, rain, snow) or changes in place (window lights, curtains)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from edge.synth.distractors import Bird, Curtain, Drifter, Precipitation, WindowLight
from edge.synth.facade_layout import Building
from edge.synth.falls import SHAPES, Flight, Throw, fly
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


def poisson_times(rng: np.random.Generator, per_min: float, duration: float) -> list[float]:
    n = int(rng.poisson(per_min * duration / 60.0))
    return sorted(float(t) for t in rng.uniform(0, duration, n))


def schedule_throws(
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


def schedule_movers(rng: np.random.Generator, camera: TiltedPinhole, opts: SceneOptions) -> list[Distractor]:
    w, h, dur = opts.width, opts.height, opts.duration_s
    ground = camera.row_of(0.0)
    ppm = camera.pixels_per_metre(10.0)
    out: list[Distractor] = []
    for t0 in poisson_times(rng, 4.0, dur):
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
        for t0 in poisson_times(rng, rate, dur):
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


def pick_fixtures(rng: np.random.Generator, building: Building, opts: SceneOptions) -> list[Fixture]:
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
        toggles = tuple(poisson_times(rng, 4.0, dur))
        flicker = tuple(
            (t, t + float(rng.uniform(1, 4)), float(rng.uniform(3, 12))) for t in poisson_times(rng, 0.6, dur)
        )
        out.append(
            WindowLight(
                poly, (float(rng.uniform(120, 180)), float(rng.uniform(200, 235)), 245.0), toggles, flicker
            )
        )
    return out
