from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sharpeyes.contract import AgentInfo, Alert, AlertKind, ClutterAttributes, Severity, ThrowAttributes
from sharpeyes.contract.alert import GenericAttributes
from sharpeyes.registry import SiteRegistry, load_registry

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 17:00 in Shanghai

AlertFactory = Callable[..., Alert]


@pytest.fixture(scope="session")
def registry(demo_district: Path) -> SiteRegistry:
    return load_registry(demo_district)


def make_alert(
    alert_id: str,
    source_id: str,
    kind: AlertKind = AlertKind.EBIKE_INDOOR,
    at: datetime = T0,
    severity: Severity = Severity.MEDIUM,
    offset_s: float = 0.0,
) -> Alert:
    ts = at + timedelta(seconds=offset_s)
    attrs: GenericAttributes | ThrowAttributes | ClutterAttributes
    if kind is AlertKind.HIGH_ALTITUDE_THROW:
        attrs = ThrowAttributes(origin_floor=5, trajectory=[[0.0, 10.0, 10.0], [0.1, 10.0, 20.0]])
    elif kind is AlertKind.CORRIDOR_CLUTTER:
        attrs = ClutterAttributes(since=ts - timedelta(seconds=120), dwell_s=120)
    else:
        attrs = GenericAttributes()
    return Alert(
        alert_id=alert_id,
        source_id=source_id,
        kind=kind,
        ts=ts,
        confidence=0.9,
        severity=severity,
        attributes=attrs,
        agent=AgentInfo(id="nvr-test", version="0.1"),
    )


@pytest.fixture
def alert() -> AlertFactory:
    return make_alert
