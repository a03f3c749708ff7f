"""Clips for the demo's cameras: a facade with throws and a corridor where items are left, generated
with the project's own scene generators, and their camera configs bound to cameras of the district."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sharpeyes.config import CameraConfig, load_model
from sharpeyes.registry import SiteRegistry


@dataclass(frozen=True)
class DemoCamera:
    config: CameraConfig
    truth: Path


def _bind(config: CameraConfig, camera_id: str, registry: SiteRegistry, video: Path) -> CameraConfig:
    entry = registry.cameras[camera_id]
    return config.model_copy(
        update={
            "id": camera_id,
            "building": entry.building,
            "floor": entry.floor,
            "source": str(video.resolve()),
        }
    )


def pick_cameras(registry: SiteRegistry, seed: int) -> tuple[str, str]:
    """A facade camera and a corridor camera in two different communities, chosen by the seed."""
    rng = random.Random(seed)  # noqa: S311 - picks demo cameras, not secrets
    cams = sorted(registry.cameras.values(), key=lambda c: c.id)
    facade = rng.choice([c for c in cams if c.kind.value == "facade"])
    community = registry.grids[registry.buildings[facade.building].grid].community
    corridor = rng.choice(
        [
            c
            for c in cams
            if c.kind.value == "corridor"
            and registry.grids[registry.buildings[c.building].grid].community != community
        ]
    )
    return facade.id, corridor.id


def prepare(
    out: Path, registry: SiteRegistry, seed: int, duration_s: float, progress: Callable[[str], None]
) -> list[DemoCamera]:
    from edge.synth.clip_files import write_clip
    from edge.synth.corridor import write_corridor_set
    from edge.synth.facade import SceneOptions, build_scene

    facade_id, corridor_id = pick_cameras(registry, seed)
    made: list[DemoCamera] = []

    progress("generating a facade clip (objects thrown from windows, birds, rain, flickering windows)")
    scene = build_scene(seed, SceneOptions(width=960, height=540, fps=25.0, duration_s=duration_s))
    files = write_clip(scene, out / "facade")
    facade = load_model(CameraConfig, files.camera)
    made.append(DemoCamera(_bind(facade, facade_id, registry, files.video), files.truth))

    progress("generating a corridor clip (people walking through, items left in the fire lane)")
    truths = write_corridor_set(out / "corridor", seed, 1, max(60.0, duration_s), 20.0, lambda name, f: None)
    truth = Path(truths[0])
    camera_file = truth.parent / f"{truth.name.removesuffix('.truth.json')}.camera.yaml"
    corridor = load_model(CameraConfig, camera_file)
    made.append(DemoCamera(_bind(corridor, corridor_id, registry, Path(corridor.source)), truth))
    return made
