"""A time-lapse of one building's IoT devices for the demo: a smart socket that starts drawing an
e-bike charger's power, then the smoke detector on the same floor alarms — the correlation that makes
the pipeline raise both cases to critical — and a fire door left open.

Each step is one reading; ``step_s`` of device time pass per step, so ten minutes of charging show in
seconds. Readings carry their own event times, as real devices do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sharpeyes.contract import IotEvent, Measurement
from sharpeyes.registry import SiteRegistry


@dataclass(frozen=True)
class IotCast:
    socket: str
    smoke: str
    door: str | None
    building: str


def pick_devices(registry: SiteRegistry, avoid: set[str] | None = None) -> IotCast:
    """A building that has a socket and a smoke detector (and a fire door, if any), not in ``avoid``."""
    by_building: dict[str, dict[str, str]] = {}
    for dev in sorted(registry.devices.values(), key=lambda d: d.id):
        if dev.building is not None:
            by_building.setdefault(dev.building, {}).setdefault(dev.type.value, dev.id)
    for building, kinds in sorted(by_building.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if building in (avoid or set()):
            continue
        if "smart_socket" in kinds and "smoke_detector" in kinds:
            return IotCast(
                kinds["smart_socket"], kinds["smoke_detector"], kinds.get("fire_door_contact"), building
            )
    raise LookupError("the district has no building with both a smart socket and a smoke detector")


def readings(cast: IotCast, start: datetime, step_s: float = 60.0) -> Iterator[IotEvent]:
    """The time-lapse, one reading per step (the caller paces them)."""
    t = start
    for i in range(24):
        t = start + timedelta(seconds=i * step_s)
        watts = 6.0 if i < 2 else 240.0 + (i % 3) * 7  # idle, then a charger's steady draw
        yield IotEvent(
            event_id=f"{cast.socket}-{i}",
            device_id=cast.socket,
            ts=t,
            measurement=Measurement.POWER_W,
            value=watts,
            unit="W",
        )
        if cast.door is not None and i in (3, 12):
            yield IotEvent(
                event_id=f"{cast.door}-{i}",
                device_id=cast.door,
                ts=t,
                measurement=Measurement.DOOR_CONTACT,
                state="open",
            )
        if i == 16:
            yield IotEvent(
                event_id=f"{cast.smoke}-{i}",
                device_id=cast.smoke,
                ts=t,
                measurement=Measurement.SMOKE,
                state="alarm",
            )
