"""``sharpeyes synth facade``: a building facade seen from the street, objects thrown from its windows, and
everything else that moves on a facade (birds, leaves, rain, lights, curtains, shake), with ground truth.

A scene is a pure function of its seed and options; rendering it frame by frame is deterministic too,
so a benchmark can regenerate the exact clip a test or a bug report names.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from edge.synth.facade_effects import Lighting, NoiseBank, Shake, shift
from edge.synth.facade_events import (
    Distractor,
    Fixture,
    SceneOptions,
    pick_fixtures,
    poisson_times,
    schedule_movers,
    schedule_throws,
)
from edge.synth.facade_layout import Building, layout_building, render_still
from edge.synth.falls import Flight, draw_flight
from edge.synth.pinhole import TiltedPinhole

__all__ = ["FacadeScene", "RenderedFrame", "SceneOptions", "build_scene", "render", "truth_document"]


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
    flights = schedule_throws(rng, wall_lum, camera, building, opts) if opts.falls else []
    moving = schedule_movers(rng, camera, opts) if opts.distractors else []
    fixtures = pick_fixtures(rng, building, opts) if opts.distractors else []
    dur = opts.duration_s
    lighting = Lighting(
        float(rng.uniform(0.02, 0.08)),
        float(rng.uniform(20, 90)),
        tuple(
            (t, float(rng.uniform(1, 4)), float(rng.uniform(-0.2, 0.2))) for t in poisson_times(rng, 1.0, dur)
        ),
        tuple(
            (t, t + float(rng.uniform(0.5, 3)), float(rng.uniform(-0.1, 0.1)))
            for t in poisson_times(rng, 0.5, dur)
        ),
    )
    shake = Shake(
        tuple(
            (t, t + float(rng.uniform(0.2, 1.2)), float(rng.uniform(1, 3)))
            for t in poisson_times(rng, 1.0, dur)
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
