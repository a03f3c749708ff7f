"""The seven indoor classes the reference detector learns, in the model's class order, and how to sample one.

The order is part of the interface with the training code and the model manifest: a label file's class
number is the index in ``CLASSES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from edge.synth.draw3d import Painter
from edge.synth.indoor_things import Bag, CardboardBox, Furniture, Person
from edge.synth.indoor_vehicles import Bicycle, Ebike, Stroller

CLASSES: tuple[str, ...] = ("ebike", "bicycle", "stroller", "person", "box", "bag", "furniture")


class Thing(Protocol):
    """Something standing on the floor: its class, footprint (metres) and how to draw it."""

    @property
    def cls(self) -> str: ...

    @property
    def length(self) -> float: ...

    @property
    def width(self) -> float: ...

    def draw(self, p: Painter) -> None: ...


SAMPLERS: dict[str, Callable[[np.random.Generator], Thing]] = {
    "ebike": Ebike.sample,
    "bicycle": Bicycle.sample,
    "stroller": Stroller.sample,
    "person": Person.sample,
    "box": CardboardBox.sample,
    "bag": Bag.sample,
    "furniture": Furniture.sample,
}


def sample_thing(cls: str, rng: np.random.Generator) -> Thing:
    return SAMPLERS[cls](rng)


@dataclass(frozen=True)
class Placed:
    """A thing on the floor at ``(x, z)`` (world metres) heading ``yaw`` radians (0 = towards +z)."""

    thing: Thing
    x: float
    z: float
    yaw: float
    labelled: bool = True  # False: drawn, but part of the scenery (never a label)

    @property
    def class_id(self) -> int:
        return CLASSES.index(self.thing.cls)
