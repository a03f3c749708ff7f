"""E-bikes, bicycles and strollers, drawn from parts so that what tells them apart is their shape.

- e-bike: small, thick wheels (14-16", solid "mag" rims), fenders, a battery body or footboard, a thick
  seat, often a basket or a rear top box; two styles: scooter (footboard, leg shield) and the
  step-through "new standard" electric bicycle (thick low frame, battery box, pedals);
- bicycle: large thin spoked wheels (26-28"), a thin diamond frame, a small saddle, no battery;
- stroller: four small wheels, a fabric seat body, a canopy hood, a push handle.

Colours are drawn at random for every class, so no class can be told by colour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from edge.synth.draw3d import Colour, Painter, scaled

BLACK: Colour = (25, 25, 28)
TYRE: Colour = (32, 32, 34)


def any_colour(rng: np.random.Generator) -> Colour:
    """A paint colour: saturated, pastel, white, grey or black, any hue."""
    kind = rng.random()
    if kind < 0.2:
        g = int(rng.integers(20, 70))
        return (g, g, g + int(rng.integers(0, 8)))
    if kind < 0.35:
        g = int(rng.integers(170, 235))
        return (g, g, g)
    hsv = np.array([[[rng.integers(0, 180), rng.integers(80, 255), rng.integers(90, 240)]]], np.uint8)
    bgr = np.asarray(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR))[0, 0]
    return (int(bgr[0]), int(bgr[1]), int(bgr[2]))


@dataclass(frozen=True)
class Ebike:
    cls = "ebike"
    style: str  # "scooter" | "bicycle"
    wheel_r: float
    section: float  # radial thickness of the tyre
    tread: float  # tyre width
    wheelbase: float
    body: Colour
    trim: Colour
    rim: Colour
    basket: bool
    top_box: bool
    box_colour: Colour
    mirrors: bool

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Ebike:
        return cls(
            style="scooter" if rng.random() < 0.55 else "bicycle",
            wheel_r=float(rng.uniform(0.175, 0.205)),
            section=float(rng.uniform(0.055, 0.075)),
            tread=float(rng.uniform(0.07, 0.1)),
            wheelbase=float(rng.uniform(1.1, 1.28)),
            body=any_colour(rng),
            trim=any_colour(rng) if rng.random() < 0.4 else BLACK,
            rim=(150, 150, 155) if rng.random() < 0.5 else (45, 45, 50),
            basket=bool(rng.random() < 0.45),
            top_box=bool(rng.random() < 0.4),
            box_colour=any_colour(rng),
            mirrors=bool(rng.random() < 0.5),
        )

    @property
    def length(self) -> float:
        return self.wheelbase + 2 * self.wheel_r + 0.1

    @property
    def width(self) -> float:
        return 0.62

    def _wheel(self, p: Painter, u: float) -> None:
        r, c = self.wheel_r, (u, self.wheel_r, 0.0)
        p.disc(c, r - self.section * 0.8, self.rim)
        hub = scaled(self.rim, 0.6)
        for k in range(5):
            a = 2 * math.pi * k / 5 + 0.3
            p.tube(
                c,
                (u + 0.8 * (r - self.section) * math.cos(a), r + 0.8 * (r - self.section) * math.sin(a), 0.0),
                0.012,
                hub,
            )
        p.disc(c, 0.045, hub)
        for w in (-self.tread / 2, 0.0, self.tread / 2):
            p.ring((u, r, w), r, self.section, TYRE)

    def draw(self, p: Painter) -> None:
        r, half = self.wheel_r, self.wheelbase / 2
        rear, front = -half, half
        self._wheel(p, rear)
        self._wheel(p, front)
        for u in (rear, front):  # fenders over the top of both wheels
            for w in (-0.05, 0.05):
                p.arc((u, r, w), r + 0.035, 15, 165, 0.03, self.body)
        if self.style == "scooter":
            self._scooter(p, rear, front)
        else:
            self._step_through(p, rear, front)
        if self.top_box:
            p.cuboid((rear - 0.22, 0.82, -0.17), (rear + 0.14, 1.12, 0.17), self.box_colour)

    def _scooter(self, p: Painter, rear: float, front: float) -> None:
        r = self.wheel_r
        p.cuboid(
            (rear + 0.3, r + 0.02, -0.15), (front - 0.3, r + 0.1, 0.15), BLACK, top=(60, 60, 62)
        )  # footboard
        body = np.array(
            [
                [rear + 0.32, r + 0.05],
                [rear - 0.12, r + 0.2],
                [rear - 0.16, 0.66],
                [rear + 0.45, 0.7],
                [rear + 0.42, r + 0.1],
            ]
        )
        p.slab(body, -0.17, 0.17, self.body)  # rear body over the battery
        p.blob((rear + 0.18, 0.74, 0.0), (0.3, 0.06, 0.15), BLACK)  # thick seat
        top = (front - 0.14, 1.02, 0.0)
        p.tube((front, r, 0.0), top, 0.032, self.trim)  # steering column
        shield = np.array(
            [
                [front - 0.2, r + 0.08],
                [front - 0.08, r + 0.22],
                [front - 0.06, 0.92],
                [front - 0.2, 0.95],
                [front - 0.32, r + 0.12],
            ]
        )
        p.slab(shield, -0.19, 0.19, self.body)  # leg shield
        p.blob((front - 0.05, 0.9, 0.0), (0.05, 0.06, 0.1), (200, 220, 225))  # headlight
        self._bars(p, top)

    def _step_through(self, p: Painter, rear: float, front: float) -> None:
        r = self.wheel_r
        head = (front - 0.18, 0.86, 0.0)
        low = (rear + 0.5, 0.24, 0.0)
        seat_post = (rear + 0.3, 0.72, 0.0)
        p.path(
            np.array([head, (front - 0.32, 0.5, 0.0), low, (rear + 0.3, 0.35, 0.0), seat_post]),
            0.04,
            self.body,
        )
        p.tube((front, r, 0.0), head, 0.03, self.trim)  # fork
        p.cuboid(
            (rear + 0.12, 0.34, -0.1),
            (rear + 0.44, 0.62, 0.1),
            self.trim if self.trim != BLACK else (40, 40, 44),
        )  # battery box
        p.tube((rear, r, 0.0), (rear + 0.34, 0.3, 0.0), 0.022, self.body)  # chain stay
        p.cuboid((rear - 0.2, 0.6, -0.1), (rear + 0.12, 0.64, 0.1), BLACK)  # rear rack
        p.disc((rear + 0.5, 0.24, 0.06), 0.07, (60, 60, 62))  # chainring
        p.tube((rear + 0.45, 0.16, 0.1), (rear + 0.55, 0.16, 0.16), 0.02, BLACK)  # pedal
        p.blob((rear + 0.3, 0.78, 0.0), (0.15, 0.06, 0.12), BLACK)  # thick saddle
        self._bars(p, (head[0] + 0.02, 1.02, 0.0))

    def _bars(self, p: Painter, top: tuple[float, float, float]) -> None:
        u, v, _ = top
        p.tube((u, v, -0.32), (u, v, 0.32), 0.016, BLACK)
        if self.mirrors:
            for w in (-0.26, 0.26):
                p.tube((u, v, w), (u - 0.02, v + 0.2, w * 1.1), 0.006, BLACK)
                p.blob((u - 0.02, v + 0.22, w * 1.12), (0.02, 0.035, 0.05), BLACK)
        if self.basket:
            lo, hi = (u + 0.04, v - 0.28, -0.17), (u + 0.3, v - 0.04, 0.17)
            p.cuboid(lo, hi, (70, 70, 74))
            for k in range(1, 5):  # wire mesh
                uu = lo[0] + (hi[0] - lo[0]) * k / 5
                p.tube((uu, hi[1], hi[2]), (uu, lo[1], hi[2]), 0.004, (130, 130, 135))


@dataclass(frozen=True)
class Bicycle:
    cls = "bicycle"
    wheel_r: float
    section: float
    frame: Colour
    spokes: int
    flat_bar: bool
    tube_r: float

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Bicycle:
        return cls(
            wheel_r=float(rng.uniform(0.32, 0.36)),
            section=float(rng.uniform(0.022, 0.045)),
            frame=any_colour(rng),
            spokes=int(rng.choice([16, 20, 24])),
            flat_bar=bool(rng.random() < 0.7),
            tube_r=float(rng.uniform(0.013, 0.02)),
        )

    @property
    def length(self) -> float:
        return 1.05 + 2 * self.wheel_r

    @property
    def width(self) -> float:
        return 0.55

    def _wheel(self, p: Painter, u: float) -> None:
        r = self.wheel_r
        for k in range(self.spokes):
            a = 2 * math.pi * k / self.spokes
            p.tube(
                (u, r, 0.0),
                (u + (r - self.section) * math.cos(a), r + (r - self.section) * math.sin(a), 0.0),
                0.0015,
                (150, 150, 155),
            )
        p.disc((u, r, 0.0), 0.025, (120, 120, 125))
        p.ring((u, r, 0.0), r - self.section, 0.018, (140, 140, 145))  # rim
        p.ring((u, r, 0.0), r, self.section, TYRE)

    def draw(self, p: Painter) -> None:
        r, t, c = self.wheel_r, self.tube_r, self.frame
        rear, front = (-0.52, r, 0.0), (0.53, r, 0.0)
        bb = (-0.06, 0.3, 0.0)
        seat = (-0.2, 0.82, 0.0)
        head_top, head_low = (0.36, 0.84, 0.0), (0.4, 0.68, 0.0)
        self._wheel(p, rear[0])
        self._wheel(p, front[0])
        for a, b in (
            (bb, rear),
            (seat, rear),
            (bb, seat),
            (seat, head_top),
            (bb, head_low),
            (head_low, head_top),
        ):
            p.tube(a, b, t, c)
        p.tube(head_low, front, t * 0.9, c)  # fork
        p.disc((bb[0], bb[1], 0.05), 0.09, (90, 90, 95))  # chainring
        p.tube((bb[0], bb[1], 0.05), (bb[0] + 0.1, bb[1] - 0.12, 0.1), 0.012, (60, 60, 62))  # crank
        p.tube((bb[0] + 0.06, bb[1] - 0.13, 0.14), (bb[0] + 0.14, bb[1] - 0.13, 0.14), 0.015, BLACK)  # pedal
        post = (-0.23, 0.95, 0.0)
        p.tube(seat, post, t * 0.8, (120, 120, 125))
        p.blob((post[0] + 0.03, post[1] + 0.02, 0.0), (0.13, 0.025, 0.06), BLACK)  # small saddle
        stem = (0.34, 0.98, 0.0)
        p.tube(head_top, stem, t * 0.8, (90, 90, 95))
        if self.flat_bar:
            p.tube((stem[0], stem[1], -0.3), (stem[0], stem[1], 0.3), 0.012, BLACK)
        else:
            for w in (-0.2, 0.2):
                p.path(
                    np.array(
                        [
                            (stem[0], stem[1], 0.0),
                            (stem[0], stem[1], w),
                            (stem[0] + 0.1, stem[1] - 0.05, w),
                            (stem[0] + 0.05, stem[1] - 0.15, w),
                        ]
                    ),
                    0.012,
                    BLACK,
                )


@dataclass(frozen=True)
class Stroller:
    cls = "stroller"
    wheel_r: float
    fabric: Colour
    frame: Colour
    hood: Colour
    size: float

    @classmethod
    def sample(cls, rng: np.random.Generator) -> Stroller:
        fabric = any_colour(rng)
        return cls(
            wheel_r=float(rng.uniform(0.06, 0.1)),
            fabric=fabric,
            frame=(30, 30, 32) if rng.random() < 0.6 else (170, 170, 175),
            hood=fabric if rng.random() < 0.6 else any_colour(rng),
            size=float(rng.uniform(0.9, 1.1)),
        )

    @property
    def length(self) -> float:
        return 0.95 * self.size

    @property
    def width(self) -> float:
        return 0.58 * self.size

    def draw(self, p: Painter) -> None:
        r = self.wheel_r
        half_w = 0.26
        wheels = [(-0.32, w) for w in (-half_w, half_w)] + [(0.3, w) for w in (-half_w * 0.85, half_w * 0.85)]
        for u, w in wheels:  # far wheels are hidden by the body drawn after them
            p.disc((u, r, w), r, TYRE)
            p.disc((u, r, w), r * 0.45, (110, 110, 115))
        for w in (-half_w, half_w):  # chassis, one side each
            p.path(np.array([(-0.32, r, w), (-0.05, 0.38, w), (0.3, r, w * 0.85)]), 0.014, self.frame)
            p.tube((-0.05, 0.38, w), (-0.38, 1.0, w * 0.95), 0.014, self.frame)  # push handle rails
        p.cuboid((-0.2, 0.16, -0.2), (0.2, 0.28, 0.2), (50, 50, 52))  # basket underneath
        seat = np.array([[-0.25, 0.34], [0.2, 0.34], [0.3, 0.5], [0.12, 0.58], [-0.22, 0.8]])
        p.slab(seat, -0.23, 0.23, self.fabric)  # the seat body
        p.tube((-0.38, 1.0, -0.25), (-0.38, 1.0, 0.25), 0.022, BLACK)  # handle bar (foam)
        self._hood(p)

    def _hood(self, p: Painter) -> None:
        """A canopy: half a dome over the back of the seat, with ribs."""
        centre = np.array([-0.12, 0.62, 0.0])
        ang = np.radians(np.linspace(20, 175, 9))
        ws = np.linspace(-0.24, 0.24, 5)
        shell = np.array(
            [[centre[0] + 0.28 * math.cos(a), centre[1] + 0.3 * math.sin(a), w] for a in ang for w in ws]
        )
        p.hull(shell, scaled(self.hood, 0.85))
        for w in (-0.24, 0.0, 0.24):
            pts = np.array([[centre[0] + 0.28 * math.cos(a), centre[1] + 0.3 * math.sin(a), w] for a in ang])
            p.path(pts, 0.006, scaled(self.hood, 0.6))
