"""IoT readings → alerts: smoke alarms, e-bike charging signatures on smart sockets, fire doors left open,
water levels. State per device (what it reported last and since when) lives in the caller's store.

The e-bike signature: a charger draws a sustained, fairly flat power in a band (typically 100–400 W for
48–72 V packs) for a long time; a kettle is far above the band, a phone charger far below, a fridge
cycles. So: power in the band continuously for at least ``charging_min_s`` → one alert per session.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sharpeyes.config.camera import ConfigModel
from sharpeyes.contract import AgentInfo, Alert, AlertKind, IotEvent, Measurement, Severity
from sharpeyes.contract.alert import GenericAttributes
from sharpeyes.contract.base import UtcTime

AGENT = AgentInfo(id="sharpeyes-iot-rules", version="1")
_NS = uuid.UUID("0d6c8f52-9d1c-4b8e-a3c8-5f3b2f0c1a77")


class IotRulesConfig(ConfigModel):
    charging_band_w: tuple[float, float] = Field(default=(100.0, 450.0), description="e-bike charger draw")
    charging_min_s: float = Field(default=600.0, gt=0, description="sustained this long → ebike_charging")
    door_open_limit_s: float = Field(
        default=300.0, gt=0, description="fire door open longer → fire_door_open"
    )
    water_level_alarm_cm: float = Field(default=30.0, gt=0)


class DeviceState(BaseModel):
    model_config = ConfigDict(extra="ignore")

    in_band_since: UtcTime | None = None
    charging_alerted: bool = False
    door_open_since: UtcTime | None = None
    door_alerted: bool = False
    smoke_alarm: bool = False
    water_high: bool = False
    # replay safety (see pipeline.core.replay): the last offset applied and the alerts recent ones raised
    last_offset: int = -1
    emitted: dict[str, list[dict[str, object]]] = Field(default_factory=dict)


def _alert(
    event: IotEvent, kind: AlertKind, severity: Severity, ts: datetime, why: str, **attrs: object
) -> Alert:
    return Alert.model_construct(
        schema_="sharpeyes.alert/1",
        alert_id=str(uuid.uuid5(_NS, f"{event.device_id}/{event.event_id}/{kind.value}")),
        source_id=event.device_id,
        kind=kind,
        ts=ts,
        confidence=1.0,
        severity=severity,
        zone=None,
        bbox=None,
        evidence=None,
        attributes=GenericAttributes(rule=why, measurement=event.measurement.value, **attrs),
        agent=AGENT,
    )


def evaluate(config: IotRulesConfig, state: DeviceState, event: IotEvent) -> list[Alert]:
    """Update ``state`` with ``event`` (in place) and return the alerts it triggers, at most one per rule."""
    out: list[Alert] = []
    if event.measurement is Measurement.SMOKE:
        alarm = (event.state or "").lower() in {"alarm", "smoke", "fire"} or (event.value or 0) >= 1
        if alarm and not state.smoke_alarm:
            out.append(_alert(event, AlertKind.SMOKE, Severity.HIGH, event.ts, "smoke alarm"))
        state.smoke_alarm = alarm
    elif event.measurement is Measurement.POWER_W and event.value is not None:
        low, high = config.charging_band_w
        if low <= event.value <= high:
            if state.in_band_since is None:
                state.in_band_since = event.ts
            sustained = (event.ts - state.in_band_since).total_seconds()
            if sustained >= config.charging_min_s and not state.charging_alerted:
                state.charging_alerted = True
                out.append(
                    _alert(
                        event,
                        AlertKind.EBIKE_CHARGING,
                        Severity.MEDIUM,
                        event.ts,
                        "sustained draw in the e-bike charging band",
                        power_w=event.value,
                        sustained_s=round(sustained, 1),
                    )
                )
        else:
            state.in_band_since = None
            state.charging_alerted = False
    elif event.measurement is Measurement.DOOR_CONTACT:
        is_open = (event.state or "").lower() == "open"
        if not is_open:
            state.door_open_since = None
            state.door_alerted = False
        else:
            if state.door_open_since is None:
                state.door_open_since = event.ts
            open_s = (event.ts - state.door_open_since).total_seconds()
            if open_s >= config.door_open_limit_s and not state.door_alerted:
                state.door_alerted = True
                out.append(
                    _alert(
                        event,
                        AlertKind.FIRE_DOOR_OPEN,
                        Severity.MEDIUM,
                        event.ts,
                        "fire door open too long",
                        open_s=round(open_s, 1),
                    )
                )
    elif event.measurement is Measurement.WATER_LEVEL_CM and event.value is not None:
        high_water = event.value >= config.water_level_alarm_cm
        if high_water and not state.water_high:
            out.append(
                _alert(
                    event,
                    AlertKind.WATER_LEVEL,
                    Severity.HIGH,
                    event.ts,
                    "water above alarm level",
                    level_cm=event.value,
                )
            )
        state.water_high = high_water
    return out
