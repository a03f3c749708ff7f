from __future__ import annotations

from datetime import timedelta

import pytest

from pipeline.core.iot_rules import DeviceState, IotRulesConfig, evaluate
from sharpeyes.contract import AlertKind, IotEvent, Measurement
from tests.pipeline.conftest import T0


def _readings(
    measurement: Measurement, series: list[tuple[float, float | None, str | None]]
) -> list[IotEvent]:
    return [
        IotEvent(
            event_id=f"e{i}",
            device_id="dev-1",
            ts=T0 + timedelta(seconds=t),
            measurement=measurement,
            value=v,
            state=s,
        )
        for i, (t, v, s) in enumerate(series)
    ]


def _kinds(events: list[IotEvent]) -> list[AlertKind]:
    state, out = DeviceState(), []
    for e in events:
        out += [a.kind for a in evaluate(IotRulesConfig(), state, e)]
    return out


@pytest.mark.parametrize(
    ("measurement", "series", "expected"),
    [
        pytest.param(
            Measurement.POWER_W,
            [(t, 250.0, None) for t in range(0, 1300, 60)],
            [AlertKind.EBIKE_CHARGING],
            id="charger-20-min-one-alert",
        ),
        pytest.param(
            Measurement.POWER_W, [(t, 250.0, None) for t in range(0, 500, 60)], [], id="charger-too-short"
        ),
        pytest.param(
            Measurement.POWER_W, [(t, 1800.0, None) for t in range(0, 1300, 60)], [], id="kettle-above-band"
        ),
        pytest.param(
            Measurement.POWER_W,
            [(t, 250.0 if (t // 60) % 3 else 5.0, None) for t in range(0, 1800, 60)],
            [],
            id="cycling-fridge",
        ),
        pytest.param(
            Measurement.SMOKE,
            [(0, None, "clear"), (10, None, "alarm"), (20, None, "alarm")],
            [AlertKind.SMOKE],
            id="smoke-once-per-alarm",
        ),
        pytest.param(
            Measurement.DOOR_CONTACT,
            [(0, None, "open"), (200, None, "open"), (400, None, "open")],
            [AlertKind.FIRE_DOOR_OPEN],
            id="door-left-open",
        ),
        pytest.param(
            Measurement.DOOR_CONTACT,
            [(0, None, "open"), (100, None, "closed"), (400, None, "open")],
            [],
            id="door-closed-in-time",
        ),
        pytest.param(
            Measurement.WATER_LEVEL_CM,
            [(0, 10.0, None), (60, 35.0, None), (120, 40.0, None)],
            [AlertKind.WATER_LEVEL],
            id="water-rises",
        ),
    ],
)
def test_rules(measurement: Measurement, series: list, expected: list[AlertKind]) -> None:
    assert _kinds(_readings(measurement, series)) == expected


def test_alert_ids_are_stable_per_event() -> None:
    events = _readings(Measurement.SMOKE, [(0, None, "alarm")])
    a = evaluate(IotRulesConfig(), DeviceState(), events[0])
    b = evaluate(IotRulesConfig(), DeviceState(), events[0])
    assert a[0].alert_id == b[0].alert_id
