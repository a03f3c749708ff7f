"""Camera config (DESIGN.md, contract — camera config): one per file for ``scan``, a list in the agent."""

from __future__ import annotations

import re
from enum import StrEnum
from itertools import pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Point = Annotated[list[float], Field(min_length=2, max_length=2)]
Polygon = Annotated[list[Point], Field(min_length=3, description="[[x, y], ...] in pixels")]


class ConfigModel(BaseModel):
    """Config models are frozen and forbid unknown fields: a typo is an error, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CameraKind(StrEnum):
    FACADE = "facade"
    CORRIDOR = "corridor"
    ELEVATOR = "elevator"
    GENERIC = "generic"


class FacadeConfig(ConfigModel):
    floor_boundaries_y: list[float] = Field(
        min_length=2,
        description="pixel rows: the ground line, then the top of floor 1, 2, ... (strictly decreasing)",
    )
    meters_per_floor: float = Field(default=3.0, gt=0.5, le=10.0)

    @field_validator("floor_boundaries_y")
    @classmethod
    def _decreasing(cls, rows: list[float]) -> list[float]:
        for lower, upper in pairwise(rows):
            if upper >= lower:
                raise ValueError("floor_boundaries_y must decrease: ground line first, higher floors above")
        return rows


class Zone(ConfigModel):
    name: str = Field(min_length=1, max_length=64)
    polygon: Polygon
    dwell_s: float = Field(default=120.0, gt=0, le=86_400, description="corridor clutter dwell threshold")


_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<user>[^:/@]+)(?::[^@/]*)?@", re.IGNORECASE)


def mask_credentials(url: str) -> str:
    """``rtsp://admin:secret@10.0.0.5/s1`` → ``rtsp://admin:***@10.0.0.5/s1``: the only form we log."""
    return _CREDENTIALS.sub(lambda m: f"{m['scheme']}{m['user']}:***@", url)


class CameraConfig(ConfigModel):
    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
    kind: CameraKind
    source: str = Field(min_length=1, description="rtsp://, http(s):// or a file path")
    building: str | None = None
    floor: int | None = None
    detectors: list[str] = Field(default_factory=list)
    fps: float = Field(default=5.0, gt=0, le=60, description="frames analysed per second")
    facade: FacadeConfig | None = None
    mask: list[Polygon] = Field(default_factory=list)
    zones: list[Zone] = Field(default_factory=list)

    @field_validator("detectors")
    @classmethod
    def _known_detectors(cls, names: list[str]) -> list[str]:
        known = {"high_altitude_throw", "corridor_clutter", "ebike_indoor"}
        unknown = sorted(set(names) - known)
        if unknown:
            raise ValueError(f"unknown detector(s) {unknown}; known: {sorted(known)}")
        return names

    @model_validator(mode="after")
    def _detectors_have_what_they_need(self) -> CameraConfig:
        if "high_altitude_throw" in self.detectors and self.facade is None:
            raise ValueError("detector high_altitude_throw needs a facade: block")
        if {"corridor_clutter", "ebike_indoor"} & set(self.detectors) and not self.zones:
            raise ValueError("corridor_clutter and ebike_indoor need at least one zone")
        names = [z.name for z in self.zones]
        if len(names) != len(set(names)):
            raise ValueError("zone names must be unique within a camera")
        return self

    @property
    def safe_source(self) -> str:
        """The source with any password masked, for logs and health messages."""
        return mask_credentials(self.source)

    def __repr_args__(self):  # type: ignore[no-untyped-def]
        # never print the RTSP password in a repr (tracebacks, debug logs)
        for name, value in super().__repr_args__():
            yield name, (self.safe_source if name == "source" else value)
