"""A corridor clip's ground truth: when the camera could see each item (``item_sightings``: people in
front of it hide it), and which items must raise an alert and since when (``ground_truth``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from edge.synth.corridor_draw import draw_person, item_pixels, walker_look
from edge.synth.corridor_scene import (
    Z_FAR,
    Z_NEAR,
    CorridorScene,
    H,
    W,
)

SEEN_SHARE = 0.25  # of an item's pixels in view: enough to tell it has come, and that it is still there


SINCE_TOLERANCE_S = 3.0  # how close to its placement an item's alert must date it


@dataclass(frozen=True)
class Sighting:
    """When the camera could see an item: the first and last analysed frame with at least ``SEEN_SHARE``
    of it in view (people in front of it hide it). None: never. ``in_view``: the share of the analysed
    frames of its stay with that much of it in view, to tell an item people passed from one they hid."""

    first_s: float | None
    last_s: float | None
    in_view: float


def item_sightings(scene: CorridorScene, render_seed: int, fps: float) -> dict[str, Sighting]:
    """What a camera analysing ``fps`` frames a second could see of each item, drawn with the renderer's
    own geometry (``render_seed`` gives the people their looks, as in ``CorridorRenderer``).

    Ground truth says which items must be reported; this says which of them a camera could report as
    the rule is asked to: seen within ``SINCE_TOLERANCE_S`` of its placement (else nobody can date it)
    and seen again after the dwell (else nobody can tell it stayed)."""
    looks = [walker_look(render_seed, i) for i in range(len(scene.walkers))]
    scratch = np.zeros((H, W, 3), np.uint8)
    own = {item.id: item_pixels(item) for item in scene.items}
    first: dict[str, float] = {}
    last: dict[str, float] = {}
    frames = dict.fromkeys(own, 0)
    in_view = dict.fromkeys(own, 0)
    for i in range(round(scene.duration_s * fps)):
        t = i / fps
        present = [item for item in scene.items if item.present(t)]
        if not present:
            continue
        deepest = max(item.z_m for item in present)
        people: list[tuple[float, np.ndarray]] = []
        for walker, look in zip(scene.walkers, looks, strict=True):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR and z <= deepest:
                people.append((z, draw_person(scratch, walker, look, z, t) > 0))
        for item in present:
            frames[item.id] += 1
            pixels = own[item.id]
            hidden = np.zeros_like(pixels)
            for z, mask in people:
                if z <= item.z_m:  # drawn after the item (nearer, or beside it): in front of it
                    hidden |= mask
            if np.count_nonzero(pixels & ~hidden) >= SEEN_SHARE * np.count_nonzero(pixels):
                first.setdefault(item.id, round(t, 2))
                last[item.id] = round(t, 2)
                in_view[item.id] += 1
    return {
        item.id: Sighting(first.get(item.id), last.get(item.id), in_view[item.id] / max(1, frames[item.id]))
        for item in scene.items
    }


def ground_truth(
    scene: CorridorScene, clip: str, camera: str, sightings: dict[str, Sighting]
) -> dict[str, object]:
    """``expect_alert``: the item stayed ``dwell_s`` or longer. ``observable``: and a camera could see it
    close enough to its placement to date it and again once the dwell was over (``item_sightings``)."""
    items = []
    for item in scene.items:
        end = item.removed_s if item.removed_s is not None else scene.duration_s
        expect = end - item.placed_s >= scene.dwell_s
        seen = sightings[item.id]
        items.append(
            {
                "id": item.id,
                "placed_s": item.placed_s,
                "removed_s": item.removed_s,
                "bbox": item.bbox(),
                "zone": "fire_lane",
                "expect_alert": expect,
                "first_seen_s": seen.first_s,
                "last_seen_s": seen.last_s,
                "in_view": round(seen.in_view, 3),
                "observable": expect
                and seen.first_s is not None
                and seen.last_s is not None
                and seen.first_s <= item.placed_s + SINCE_TOLERANCE_S
                and seen.last_s >= item.placed_s + scene.dwell_s,
            }
        )
    return {
        "clip": clip,
        "camera": camera,
        "fps": scene.fps,
        "duration_s": scene.duration_s,
        "dwell_s": scene.dwell_s,
        "seen_share": SEEN_SHARE,  # first_seen_s / last_seen_s: this much of the item in view
        "items": items,
        "people": [{"enter_s": round(w.enter_s, 2), "exit_s": round(w.exit_s, 2)} for w in scene.walkers],
        "talkers": [{"from_s": a, "to_s": b} for a, b in scene.talkers],
        "lighting": asdict(scene.lighting),
    }
