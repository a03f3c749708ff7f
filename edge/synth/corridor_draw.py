"""Drawing a corridor scene: the empty corridor (floor, walls, lights, doors), items as boxes, people as
the indoor detector's 3D ``Person``, lighting drift and sensor noise, one frame at a time
(``CorridorRenderer``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from edge.synth.camera3d import PinholeCamera
from edge.synth.corridor_scene import (
    CAM_HEIGHT,
    FOCAL,
    GAIT_M,
    HALF_WIDTH,
    HORIZON_Y,
    Z_FAR,
    Z_NEAR,
    CorridorScene,
    Door,
    H,
    Item,
    W,
    Walker,
    project,
)
from edge.synth.draw3d import Canvas, Painter
from edge.synth.indoor_things import Person


def base_image() -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:] = (150, 150, 155)  # ceiling
    far = [project(-HALF_WIDTH, 0, Z_FAR), project(HALF_WIDTH, 0, Z_FAR)]
    far_top = [project(-HALF_WIDTH, 3.0, Z_FAR), project(HALF_WIDTH, 3.0, Z_FAR)]
    near_z = 0.8
    left_wall = [
        project(-HALF_WIDTH, 0, near_z),
        project(-HALF_WIDTH, 0, Z_FAR),
        far_top[0],
        project(-HALF_WIDTH, 3, near_z),
    ]
    right_wall = [
        project(HALF_WIDTH, 0, near_z),
        project(HALF_WIDTH, 0, Z_FAR),
        far_top[1],
        project(HALF_WIDTH, 3, near_z),
    ]
    floor = [project(-HALF_WIDTH, 0, near_z), project(HALF_WIDTH, 0, near_z), far[1], far[0]]
    for poly, colour in (
        (left_wall, (170, 180, 190)),
        (right_wall, (160, 170, 182)),
        (floor, (95, 110, 120)),
    ):
        cv2.fillPoly(img, [np.round(np.asarray(poly)).astype(np.int32)], colour)
    cv2.rectangle(
        img,
        np.round(far_top[0]).astype(int).tolist(),
        np.round(far[1]).astype(int).tolist(),
        (120, 125, 130),
        -1,
    )
    for z in np.arange(3.0, Z_FAR, 1.0):  # floor tile joints
        a, b = project(-HALF_WIDTH, 0, z), project(HALF_WIDTH, 0, z)
        cv2.line(img, (round(a[0]), round(a[1])), (round(b[0]), round(b[1])), (85, 98, 108), 1)
    for z in (4.0, 8.0, 12.0, 16.0):  # ceiling lights
        quad = [
            project(-0.4, 2.99, z),
            project(0.4, 2.99, z),
            project(0.4, 2.99, z + 0.6),
            project(-0.4, 2.99, z + 0.6),
        ]
        cv2.fillPoly(img, [np.round(np.asarray(quad)).astype(np.int32)], (235, 240, 240))
    return img


def _door_quad(door: Door) -> np.ndarray:
    x = door.side * HALF_WIDTH
    quad = [
        project(x, 0, door.z0),
        project(x, 0, door.z1),
        project(x, 2.1, door.z1),
        project(x, 2.1, door.z0),
    ]
    return np.round(np.asarray(quad)).astype(np.int32)


def _draw_box(img: np.ndarray, item: Item) -> None:
    x0, y_top = project(item.x_m - item.width_m / 2, item.height_m, item.z_m)
    x1, y_bottom = project(item.x_m + item.width_m / 2, 0, item.z_m)
    _, y_back_top = project(0, item.height_m, item.z_m + 0.3)
    dark = tuple(int(c * 0.7) for c in item.color)
    cv2.rectangle(img, (round(x0), round(y_back_top)), (round(x1), round(y_top)), dark, -1)  # lid
    cv2.rectangle(img, (round(x0), round(y_top)), (round(x1), round(y_bottom)), item.color, -1)


CAMERA = PinholeCamera.level(CAM_HEIGHT, FOCAL, (W, H), HORIZON_Y)  # ``project`` as a 3D camera


def walker_look(seed: int, index: int) -> Person:
    """What walker ``index`` of a clip looks like: the 3D person the indoor detector learns (``Person``:
    head, torso, swinging arms and legs, plain or two-coloured clothes, sometimes a backpack), never
    pushing anything. Drawn from its own random stream, so a seed's scene (who walks when, which items
    stand where) does not depend on how people are drawn."""
    person = Person.sample(np.random.default_rng([seed, 17, index]))
    return Person(
        person.height, person.top, person.trousers, person.skin, person.hair, 0.0, 0.0, False, person.backpack
    )


def draw_person(img: np.ndarray, walker: Walker, look: Person, z: float, t: float) -> np.ndarray:
    """A walking person, facing the way they walk; arms and legs swing with the distance walked, and
    stand still while they pause. Returns the person's own pixels (a mask)."""
    walking = walker.position(t + 0.05) != z
    walked = abs(z - walker.z_from)
    posed = look.at_phase(2 * math.pi * walked / GAIT_M, 0.35 if walking else 0.0)
    yaw = 0.0 if walker.z_to > walker.z_from else math.pi
    canvas = Canvas.blank_mask(img)
    posed.draw(Painter(canvas, CAMERA, (walker.x_m, 0.0, z), yaw))
    return canvas.mask


class CorridorRenderer:
    def __init__(self, scene: CorridorScene, seed: int) -> None:
        self.scene = scene
        self._base = base_image()
        self._rng = np.random.default_rng(seed)
        self._looks = [walker_look(seed, i) for i in range(len(scene.walkers))]
        self._columns = np.arange(W, dtype=np.float32)[None, :, None]

    def frame(self, t: float) -> np.ndarray:
        img = self._base.copy()
        for door in self.scene.doors:
            if any(a <= t < b for a, b in door.open_intervals):
                cv2.fillPoly(img, [_door_quad(door)], (45, 45, 50))
            else:
                cv2.fillPoly(img, [_door_quad(door)], (90, 120, 150))
        drawables: list[tuple[float, Callable[[], object]]] = []
        for item in self.scene.items:
            if item.present(t):
                drawables.append((item.z_m, lambda item=item: _draw_box(img, item)))  # type: ignore[misc]
        for walker, look in zip(self.scene.walkers, self._looks, strict=True):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR:
                drawables.append(
                    (z, lambda walker=walker, look=look, z=z: draw_person(img, walker, look, z, t))  # type: ignore[misc]
                )
        for _, draw in sorted(drawables, key=lambda d: -d[0]):
            draw()
        light = self.scene.lighting.field(t, self._columns)
        noise = self._rng.normal(0.0, self.scene.lighting.noise_sigma, (H, W, 1)).astype(np.float32)
        out = img.astype(np.float32) * light + noise
        return np.clip(out, 0, 255).astype(np.uint8)

    def people(self, t: float) -> np.ndarray:
        """The pixels people show at ``t`` (items in front of them hidden), as ``frame`` draws them: the
        labels a person silhouette model learns from. Draws on a scratch image; the frames' noise is
        not touched."""
        return np.asarray(self._owners(t) >= 0)

    def people_apart(self, t: float) -> list[np.ndarray]:
        """``people`` one person at a time: the pixels each person who shows at ``t`` shows (items and
        people in front of them hidden), in the scene's order. What an ideal person detector and
        silhouette model would say (``edge.synth.truth_people``)."""
        owners = self._owners(t)
        return [owners == i for i in np.unique(owners) if i >= 0]

    def _owners(self, t: float) -> np.ndarray:
        """Per pixel, the index of the person ``frame`` draws there last (-1: nobody, or an item in front)."""
        scratch = np.zeros((H, W, 3), np.uint8)
        owners = np.full((H, W), -1, np.int32)
        layers: list[tuple[float, Callable[[], None]]] = []
        for item in self.scene.items:
            if item.present(t):

                def hide(item: Item = item) -> None:
                    owners[item_pixels(item)] = -1

                layers.append((item.z_m, hide))
        for i, (walker, look) in enumerate(zip(self.scene.walkers, self._looks, strict=True)):
            z = walker.position(t)
            if z is not None and Z_NEAR * 0.5 < z < Z_FAR:

                def show(i: int = i, walker: Walker = walker, look: Person = look, z: float = z) -> None:
                    owners[draw_person(scratch, walker, look, z, t) > 0] = i

                layers.append((z, show))
        for _, draw in sorted(layers, key=lambda d: -d[0]):
            draw()
        return owners


def item_pixels(item: Item) -> np.ndarray:
    """The frame pixels an item covers, as ``frame`` draws it (bool, frame size)."""
    scratch = np.zeros((H, W, 3), np.uint8)
    _draw_box(scratch, replace(item, color=(255, 255, 255)))
    return scratch[..., 0] > 0
