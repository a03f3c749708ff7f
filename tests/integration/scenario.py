"""A deterministic scenario of about 1,000 alerts over 50 cameras plus IoT devices, with planted exact
duplicates, near duplicates, malformed messages and unknown sources, and what must come out of it.

The expected grouping is computed from the site registry directly (camera → building → grid), not
through the pipeline's own code.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sharpeyes.contract import (
    AgentInfo,
    Alert,
    AlertKind,
    ClutterAttributes,
    IotEvent,
    Measurement,
    Severity,
    ThrowAttributes,
)
from sharpeyes.contract.alert import GenericAttributes
from sharpeyes.registry import SiteRegistry

KIND_OF_CAMERA = {
    "facade": AlertKind.HIGH_ALTITUDE_THROW,
    "corridor": AlertKind.CORRIDOR_CLUTTER,
    "elevator": AlertKind.EBIKE_INDOOR,
}


@dataclass
class Scenario:
    raw_alerts: list[tuple[bytes, bytes]] = field(default_factory=list)  # (key, value) in produce order
    iot: list[tuple[bytes, bytes]] = field(default_factory=list)
    valid_alert_ids: set[str] = field(default_factory=set)
    expected: dict[tuple[str, str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    expected_iot_keys: set[tuple[str, str, str]] = field(default_factory=set)
    malformed: int = 0
    unknown: int = 0
    duplicates: int = 0

    def split(self, fraction: float) -> tuple[list[tuple[bytes, bytes]], list[tuple[bytes, bytes]]]:
        cut = int(len(self.raw_alerts) * fraction)
        return self.raw_alerts[:cut], self.raw_alerts[cut:]


def _attrs(kind: AlertKind, ts: datetime, rng: random.Random) -> object:
    if kind is AlertKind.HIGH_ALTITUDE_THROW:
        return ThrowAttributes(
            origin_floor=rng.randint(2, 20), trajectory=[[0.0, 600.0, 100.0], [0.2, 601.0, 180.0]]
        )
    if kind is AlertKind.CORRIDOR_CLUTTER:
        return ClutterAttributes(since=ts - timedelta(seconds=120), dwell_s=120)
    return GenericAttributes()


def build(registry: SiteRegistry, seed: int = 3, alerts_per_camera: int = 18) -> Scenario:
    rng = random.Random(seed)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    cameras = rng.sample(sorted(registry.cameras), 50)
    sc = Scenario()
    agent = AgentInfo(id="nvr-scenario", version="0.1.0")
    produced: list[Alert] = []
    for cam_id in cameras:
        cam = registry.cameras[cam_id]
        kind = KIND_OF_CAMERA[cam.kind.value]
        building = registry.buildings[cam.building]
        key = (building.grid, building.id, kind.value)
        t = start + timedelta(seconds=rng.uniform(0, 600))
        for i in range(alerts_per_camera):
            t += timedelta(
                seconds=rng.uniform(1, 90) if i % 3 else rng.uniform(0.05, 2)
            )  # some near duplicates
            alert = Alert(
                alert_id=f"{cam_id}:{i:03d}",
                source_id=cam_id,
                kind=kind,
                ts=t,
                confidence=round(rng.uniform(0.5, 0.99), 3),
                severity=rng.choice([Severity.LOW, Severity.MEDIUM, Severity.HIGH]),
                attributes=_attrs(kind, t, rng),
                agent=agent,
            )
            produced.append(alert)
            sc.valid_alert_ids.add(alert.alert_id)
            sc.expected[key].add(alert.alert_id)
    # interleave cameras like a real stream, keeping each camera's order
    by_cam: dict[str, list[Alert]] = defaultdict(list)
    for a in produced:
        by_cam[a.source_id].append(a)
    queues = list(by_cam.values())
    while queues:
        q = rng.choice(queues)
        a = q.pop(0)
        sc.raw_alerts.append((a.source_id.encode(), a.to_bytes()))
        if rng.random() < 0.06:  # an edge retry: the very same bytes again, maybe a bit later
            sc.raw_alerts.append((a.source_id.encode(), a.to_bytes()))
            sc.duplicates += 1
        if not q:
            queues.remove(q)
    template = json.loads(produced[0].to_bytes())
    bad_values: list[bytes] = [
        b"{not json",
        b"\xff\xfe\x00",
        b"[1,2,3]",
        b"",
        json.dumps({**template, "confidence": 3}).encode(),
        json.dumps({**template, "schema": "sharpeyes.alert/2"}).encode(),
        json.dumps({k: v for k, v in template.items() if k != "alert_id"}).encode(),
        json.dumps({**template, "ts": "yesterday"}).encode(),
        json.dumps({**template, "kind": "graffiti"}).encode(),
    ]
    for i in range(27):
        pos = rng.randrange(len(sc.raw_alerts))
        sc.raw_alerts.insert(pos, (b"cam-broken", bad_values[i % len(bad_values)]))
        sc.malformed += 1
    for i in range(15):
        ghost = Alert(
            alert_id=f"ghost-{i}",
            source_id=f"cam-ghost-{i % 4}",
            kind=AlertKind.EBIKE_INDOOR,
            ts=start,
            confidence=0.9,
            severity=Severity.MEDIUM,
            agent=agent,
        )
        sc.raw_alerts.insert(rng.randrange(len(sc.raw_alerts)), (ghost.source_id.encode(), ghost.to_bytes()))
        sc.unknown += 1

    # IoT: smoke alarms and one e-bike charging session per chosen socket
    smokes = rng.sample(
        sorted(d.id for d in registry.devices.values() if d.type.value == "smoke_detector"), 5
    )
    sockets = rng.sample(sorted(d.id for d in registry.devices.values() if d.type.value == "smart_socket"), 4)
    for dev_id in smokes:
        dev = registry.devices[dev_id]
        b = registry.buildings[dev.building or ""]
        sc.expected_iot_keys.add((b.grid, b.id, AlertKind.SMOKE.value))
        for j, state in enumerate(["clear", "alarm", "alarm"]):
            ev = IotEvent(
                event_id=f"{dev_id}-{j}",
                device_id=dev_id,
                ts=start + timedelta(seconds=60 * j),
                measurement=Measurement.SMOKE,
                state=state,
            )
            sc.iot.append((dev_id.encode(), ev.to_bytes()))
    for dev_id in sockets:
        dev = registry.devices[dev_id]
        b = registry.buildings[dev.building or ""]
        sc.expected_iot_keys.add((b.grid, b.id, AlertKind.EBIKE_CHARGING.value))
        for j in range(16):
            ev = IotEvent(
                event_id=f"{dev_id}-{j}",
                device_id=dev_id,
                ts=start + timedelta(seconds=60 * j),
                measurement=Measurement.POWER_W,
                value=rng.uniform(180, 260),
                unit="W",
            )
            sc.iot.append((dev_id.encode(), ev.to_bytes()))
    sc.iot.append(
        (
            b"skt-ghost",
            IotEvent(
                event_id="g", device_id="skt-ghost", ts=start, measurement=Measurement.POWER_W, value=1.0
            ).to_bytes(),
        )
    )
    sc.unknown += 1
    sc.iot.append((b"x", b'{"schema": "sharpeyes.iot/1", "device_id": 5}'))
    sc.malformed += 1
    return sc


def expected_grouping(sc: Scenario) -> dict[str, frozenset[str]]:
    return {"|".join(k): frozenset(v) for k, v in sc.expected.items()}
