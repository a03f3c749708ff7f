"""People, cardboard boxes, bags and furniture, drawn from parts (``indoor_vehicles`` has the wheeled ones).

- person: head, torso, arms and legs in a walking pose (or pushing: hands forward on a handlebar);
- box: a cardboard cuboid in brown/tan shades with a tape strip, sometimes printed marks;
- bag: soft rounded shapes: woven sack with stripes, tote with two loop handles, duffel, backpack;
- furniture: chair, cabinet, open shelf, small table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from edge.synth.draw3d import Colour, Painter, scaled
from edge.synth.indoor_vehicles import BLACK, any_colour

SKIN: list[Colour] = [(150, 180, 220), (120, 150, 195), (90, 120, 165), (70, 90, 130), (170, 195, 230)]
HAIR: list[Colour] = [(20, 20, 22), (30, 40, 60), (60, 80, 110), (170, 170, 175)]


def _pick(rng: np.random.Generator, palette: list[Colour]) -> Colour:
    return palette[int(rng.integers(len(palette)))]


@dataclass(frozen=True)
class Person:
    cls = "person"
    height: float
    top: Colour
    trousers: Colour
    skin: Colour
    hair: Colour
    phase: float  # walking cycle, radians
    stride: float  # 0 = standing
    pushing: bool
    backpack: bool

    @classmethod
    def sample(cls, rng: np.random.Generator, pushing: bool = False) -> Person:
        return cls(
            height=float(rng.uniform(1.5, 1.88)),
            top=any_colour(rng),
            trousers=any_colour(rng) if rng.random() < 0.5 else (60, 45, 35),
            skin=_pick(rng, SKIN),
            hair=_pick(rng, HAIR),
            phase=float(rng.uniform(0, 2 * math.pi)),
            stride=float(rng.uniform(0.0, 0.45)) if rng.random() < 0.75 else 0.0,
            pushing=pushing or bool(rng.random() < 0.1),
            backpack=bool(rng.random() < 0.15),
        )

    def at_phase(self, phase: float, stride: float) -> Person:
        return Person(
            self.height,
            self.top,
            self.trousers,
            self.skin,
            self.hair,
            phase,
            stride,
            self.pushing,
            self.backpack,
        )

    @property
    def length(self) -> float:
        return 0.35

    @property
    def width(self) -> float:
        return 0.5

    def draw(self, p: Painter) -> None:
        h = self.height
        hip, shoulder = 0.52 * h, 0.81 * h
        swing = self.stride * math.sin(self.phase)
        leg = hip - 0.04
        # the leg and arm on the far side first
        order = (0.1, -0.1) if p.facing(np.array([0, hip, 0.0]), np.array([0, 0, -1.0])) else (-0.1, 0.1)
        for w in order:
            s = swing if w > 0 else -swing
            knee = (s * 0.28 * leg + 0.03, hip - 0.5 * leg, w)
            foot = (s * 0.55 * leg, 0.06, w)
            p.path(np.array([(0.0, hip, w), knee, foot]), 0.065, self.trousers)
            p.blob((foot[0] + 0.06, 0.045, w), (0.12, 0.045, 0.05), BLACK)
        back_in_view = p.facing(np.array([-0.1, hip + 0.3, 0.0]), np.array([-1.0, 0, 0]))
        if self.backpack and not back_in_view:
            p.cuboid((-0.3, hip + 0.12, -0.15), (-0.1, shoulder - 0.02, 0.15), scaled(self.top, 0.5))
        p.blob((0.0, hip + 0.02, 0.0), (0.13, 0.1, 0.19), self.trousers)
        p.blob((0.0, (hip + shoulder) / 2 + 0.02, 0.0), (0.13, (shoulder - hip) / 2 + 0.04, 0.21), self.top)
        if self.backpack and back_in_view:
            p.cuboid((-0.3, hip + 0.12, -0.15), (-0.1, shoulder - 0.02, 0.15), scaled(self.top, 0.5))
        for w in order:
            ws = 1 if w > 0 else -1
            if self.pushing:
                elbow = (0.2, shoulder - 0.22, ws * 0.24)
                hand = (0.42, shoulder - 0.28, ws * 0.25)
            else:
                s = -swing if w > 0 else swing
                elbow = (s * 0.25, shoulder - 0.28, ws * 0.23)
                hand = (s * 0.45 + 0.04, shoulder - 0.52, ws * 0.22)
            p.path(np.array([(0.0, shoulder - 0.03, ws * 0.2), elbow, hand]), 0.045, self.top)
            p.blob(hand, (0.04, 0.05, 0.035), self.skin)
        p.tube((0.0, shoulder, 0.0), (0.0, shoulder + 0.07, 0.0), 0.05, self.skin)  # neck
        head = (0.0, 0.93 * h, 0.0)
        p.blob(head, (0.1, 0.12, 0.085), self.skin)
        p.blob((head[0] - 0.025, head[1] + 0.045, 0.0), (0.095, 0.085, 0.09), self.hair)


@dataclass(frozen=True)
class CardboardBox:
    cls = "box"
    size: tuple[float, float, float]  # u, v, w
    colour: Colour
    tape: Colour
    marks: bool
    base: float = 0.0  # stacked on something this high

    @classmethod
    def sample(cls, rng: np.random.Generator) -> CardboardBox:
        r = float(rng.uniform(150, 215))
        g, b = r * float(rng.uniform(0.66, 0.8)), r * float(rng.uniform(0.4, 0.58))
        k = float(rng.uniform(0.8, 1.1))
        return cls(
            size=(
                float(rng.uniform(0.25, 0.8)),
                float(rng.uniform(0.18, 0.65)),
                float(rng.uniform(0.22, 0.6)),
            ),
            colour=(int(b * k), int(g * k), int(min(255.0, r * k))),
            tape=(170, 190, 205) if rng.random() < 0.5 else (60, 100, 150),
            marks=bool(rng.random() < 0.4),
        )

    def stacked_on(self, below: CardboardBox) -> CardboardBox:
        return CardboardBox(self.size, self.colour, self.tape, self.marks, below.base + below.size[1])

    @property
    def length(self) -> float:
        return self.size[0]

    @property
    def width(self) -> float:
        return self.size[2]

    def draw(self, p: Painter) -> None:
        lu, lv, lw = self.size
        v0, v1 = self.base, self.base + lv
        p.cuboid((-lu / 2, v0, -lw / 2), (lu / 2, v1, lw / 2), self.colour, top=scaled(self.colour, 1.08))
        p.poly(
            np.array(
                [
                    [-lu / 2, v1 + 0.002, -0.03],
                    [lu / 2, v1 + 0.002, -0.03],
                    [lu / 2, v1 + 0.002, 0.03],
                    [-lu / 2, v1 + 0.002, 0.03],
                ]
            ),
            self.tape,
            np.array([0, 1.0, 0]),
        )
        p.tube((-lu / 2, v1, 0.0), (lu / 2, v1, 0.0), 0.003, scaled(self.colour, 0.6))  # the flaps' seam
        if self.marks:
            for side in (-1, 1):
                n = np.array([0, 0, side], float)
                w = side * (lw / 2 + 0.002)
                if p.facing(np.array([0, (v0 + v1) / 2, w]), n):
                    q = np.array(
                        [
                            [-lu * 0.3, v0 + lv * 0.3, w],
                            [lu * 0.1, v0 + lv * 0.3, w],
                            [lu * 0.1, v0 + lv * 0.55, w],
                            [-lu * 0.3, v0 + lv * 0.55, w],
                        ]
                    )
                    p.poly(q, scaled(self.colour, 0.45))


@dataclass(frozen=True)
class Bag:
    cls = "bag"
    style: str  # sack | tote | duffel | backpack
    colour: Colour
    stripe: Colour
    size: float

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Bag:
        return cls(
            style=str(rng.choice(["sack", "tote", "duffel", "backpack"])),
            colour=any_colour(rng),
            stripe=any_colour(rng),
            size=float(rng.uniform(0.8, 1.25)),
        )

    @property
    def length(self) -> float:
        return {"sack": 0.5, "tote": 0.4, "duffel": 0.6, "backpack": 0.3}[self.style] * self.size

    @property
    def width(self) -> float:
        return {"sack": 0.4, "tote": 0.18, "duffel": 0.3, "backpack": 0.22}[self.style] * self.size

    def draw(self, p: Painter) -> None:
        s = self.size
        if self.style == "sack":  # a woven sack: a lumpy rounded body with stripes
            p.blob((0.0, 0.28 * s, 0.0), (0.25 * s, 0.28 * s, 0.2 * s), self.colour)
            p.blob(
                (0.02 * s, 0.5 * s, 0.0), (0.13 * s, 0.1 * s, 0.1 * s), scaled(self.colour, 0.9)
            )  # tied neck
            for v in (0.2, 0.36):
                pts = np.array(
                    [
                        [0.25 * s * math.cos(a), v * s, 0.2 * s * math.sin(a)]
                        for a in np.linspace(0, 2 * math.pi, 16)
                    ]
                )
                p.path(pts, 0.004 * s, self.stripe, closed=True)
        elif self.style == "tote":
            body = np.array([[-0.2, 0.0], [0.2, 0.0], [0.18, 0.36], [-0.18, 0.36]]) * s
            p.slab(body, -0.08 * s, 0.08 * s, self.colour)
            for w in (-0.08 * s, 0.08 * s):
                p.arc((0.0, 0.36 * s, w), 0.1 * s, 10, 170, 0.015, scaled(self.colour, 0.6))
        elif self.style == "duffel":
            p.blob((0.0, 0.14 * s, 0.0), (0.3 * s, 0.14 * s, 0.15 * s), self.colour)
            p.tube((-0.28 * s, 0.16 * s, 0.151 * s), (0.28 * s, 0.16 * s, 0.151 * s), 0.01 * s, self.stripe)
            p.arc((0.0, 0.26 * s, 0.0), 0.1 * s, 10, 170, 0.02, BLACK)
        else:  # backpack standing on the floor
            body = (
                np.array(
                    [[-0.12, 0.0], [0.12, 0.0], [0.13, 0.38], [0.06, 0.45], [-0.06, 0.45], [-0.13, 0.38]]
                )
                * s
            )
            p.slab(body, -0.15 * s, 0.15 * s, self.colour)
            p.blob(
                (0.13 * s, 0.14 * s, 0.0), (0.04 * s, 0.1 * s, 0.11 * s), scaled(self.colour, 0.8)
            )  # front pocket
            p.arc((0.0, 0.45 * s, 0.0), 0.05 * s, 0, 180, 0.015, BLACK)


@dataclass(frozen=True)
class Furniture:
    cls = "furniture"
    style: str  # chair | cabinet | shelf | table
    colour: Colour
    size: tuple[float, float, float]

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Furniture:
        style = str(rng.choice(["chair", "cabinet", "shelf", "table"]))
        wood = [(60, 100, 150), (40, 70, 110), (120, 160, 200), (200, 205, 210), (45, 45, 50)]
        colour = _pick(rng, wood) if rng.random() < 0.7 else any_colour(rng)
        dims = {
            "chair": (0.45, 0.9, 0.45),
            "cabinet": (
                float(rng.uniform(0.4, 0.5)),
                float(rng.uniform(0.8, 1.8)),
                float(rng.uniform(0.5, 0.9)),
            ),
            "shelf": (
                float(rng.uniform(0.3, 0.4)),
                float(rng.uniform(0.9, 1.8)),
                float(rng.uniform(0.6, 1.0)),
            ),
            "table": (
                float(rng.uniform(0.5, 0.8)),
                float(rng.uniform(0.6, 0.75)),
                float(rng.uniform(0.6, 1.1)),
            ),
        }
        return cls(style=style, colour=colour, size=dims[style])

    @property
    def length(self) -> float:
        return self.size[0]

    @property
    def width(self) -> float:
        return self.size[2]

    def draw(self, p: Painter) -> None:
        lu, lv, lw = self.size
        c = self.colour
        if self.style == "chair":
            for u in (-0.18, 0.18):
                for w in (-0.18, 0.18):
                    p.tube((u, 0.0, w), (u, 0.45, w), 0.018, scaled(c, 0.7))
            p.cuboid((-0.22, 0.43, -0.22), (0.22, 0.48, 0.22), c)
            p.cuboid((-0.22, 0.48, -0.22), (-0.18, 0.9, 0.22), c)
        elif self.style == "cabinet":
            p.cuboid((-lu / 2, 0.0, -lw / 2), (lu / 2, lv, lw / 2), c)
            if p.facing(np.array([lu / 2, lv / 2, 0]), np.array([1.0, 0, 0])):
                u = lu / 2 + 0.003
                p.tube((u, 0.05, 0.0), (u, lv - 0.05, 0.0), 0.004, scaled(c, 0.5))  # doors meet
                for w in (-0.04, 0.04):
                    p.tube((u + 0.01, lv * 0.5, w), (u + 0.01, lv * 0.5 + 0.08, w), 0.01, (160, 160, 165))
        elif self.style == "shelf":  # open at the front: back panel, sides and boards
            p.cuboid((-lu / 2, 0.0, -lw / 2), (-lu / 2 + 0.02, lv, lw / 2), scaled(c, 0.8))
            for w in (-lw / 2, lw / 2 - 0.02):
                p.cuboid((-lu / 2, 0.0, w), (lu / 2, lv, w + 0.02), c)
            n = max(2, round(lv / 0.35))
            for k in range(n + 1):
                v = k * (lv - 0.02) / n
                p.cuboid((-lu / 2, v, -lw / 2), (lu / 2, v + 0.02, lw / 2), c)
        else:
            for u in (-lu / 2 + 0.04, lu / 2 - 0.04):
                for w in (-lw / 2 + 0.04, lw / 2 - 0.04):
                    p.tube((u, 0.0, w), (u, lv - 0.03, w), 0.02, scaled(c, 0.7))
            p.cuboid((-lu / 2, lv - 0.03, -lw / 2), (lu / 2, lv, lw / 2), c)
