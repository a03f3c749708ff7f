"""Attach an alert to the grid: source id → building → grid → community → street."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.keys import case_key, routing_key
from sharpeyes.contract import Alert, IotEvent
from sharpeyes.contract.case import GridPath
from sharpeyes.errors import SharpEyesError
from sharpeyes.registry import GridIndex, Placement


class UnknownSource(SharpEyesError):
    """The alert's source id is in no camera or device list of the registry: dead letter."""

    reason = "unknown source"


@dataclass(frozen=True, slots=True)
class EnrichedAlert:
    alert: Alert
    path: GridPath
    floor: int | None
    case_key: str
    routing_key: str


def enrich(alert: Alert, index: GridIndex, at: tuple[float, float] | None = None) -> EnrichedAlert:
    """Place by source id; a source the registry lacks is placed by ``at`` (lon, lat) when given."""
    placement = index.place_source(alert.source_id)
    if placement is None and at is not None:
        path = index.locate_path(*at)
        if path is not None:
            placement = Placement(path)
    if placement is None:
        raise UnknownSource(f"source {alert.source_id} is not in the site registry")
    floor = placement.floor
    origin = getattr(alert.attributes, "origin_floor", None)
    if isinstance(origin, int):
        floor = origin  # a throw's case is about the floor it came from, not the camera's
    return EnrichedAlert(
        alert=alert,
        path=placement.path,
        floor=floor,
        case_key=case_key(placement.path, alert.kind),
        routing_key=routing_key(placement.path),
    )


def place_reading(reading: IotEvent, index: GridIndex) -> tuple[float, float] | None:
    """Check an IoT reading's device can be placed; returns its own lon/lat when it carries one.

    Raises ``UnknownSource`` for a device the registry lacks that brings no location inside the district.
    """
    at = (reading.lon, reading.lat) if reading.lon is not None and reading.lat is not None else None
    if index.place_source(reading.device_id) is None and (at is None or index.locate(*at) is None):
        raise UnknownSource(f"device {reading.device_id} is not in the site registry")
    return at
