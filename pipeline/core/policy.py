"""Case policy: merge windows, SLA deadlines, recurrence, bounds, correlation. Documented defaults.

Defaults (what a street office would start from; every value is configurable in ``pipeline.yaml``):

| kind | merge window | respond (high / other) | resolve (high / other) |
|---|---|---|---|
| corridor_clutter | 30 min | 4 h / 8 h working | 24 h / 72 h working |
| ebike_indoor | 10 min | 1 h / 2 h working | 8 h / 24 h working |
| high_altitude_throw | 5 min | 30 min / 1 h (clock) | 24 h / 48 h working |
| smoke | 5 min | 5 min / 10 min (clock) | 4 h / 8 h (clock) |
| ebike_charging | 30 min | 1 h / 2 h working | 8 h / 24 h working |
| fire_door_open | 30 min | 2 h / 4 h working | 24 h / 48 h working |
| water_level | 30 min | 30 min / 1 h (clock) | 8 h / 24 h (clock) |

Critical severity halves the high deadlines. "working" deadlines count only the hours of the working
calendar (default Mon–Fri 08:30–17:30, Asia/Shanghai), as city case handling measures on-time closure
(按期结案率); "clock" deadlines run around the clock because the hazard does.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from sharpeyes.config.camera import ConfigModel
from sharpeyes.contract import AlertKind, Severity


class Deadline(ConfigModel):
    respond_min: float = Field(gt=0, description="minutes until the case must be dispatched")
    resolve_min: float = Field(gt=0, description="minutes until the case must be resolved")
    working_time: bool = Field(default=True, description="count only working-calendar minutes")


class KindPolicy(ConfigModel):
    merge_window_min: float = Field(gt=0, description="quiet longer than this: a new incident")
    high: Deadline
    other: Deadline

    def deadline(self, severity: Severity) -> Deadline:
        if severity is Severity.CRITICAL:
            d = self.high
            return d.model_copy(update={"respond_min": d.respond_min / 2, "resolve_min": d.resolve_min / 2})
        return self.high if severity is Severity.HIGH else self.other


def _kp(merge: float, rh: float, ro: float, xh: float, xo: float, working: bool) -> KindPolicy:
    return KindPolicy(
        merge_window_min=merge,
        high=Deadline(respond_min=rh, resolve_min=xh, working_time=working),
        other=Deadline(respond_min=ro, resolve_min=xo, working_time=working),
    )


DEFAULT_KINDS: dict[AlertKind, KindPolicy] = {
    AlertKind.CORRIDOR_CLUTTER: _kp(30, 240, 480, 1440, 4320, True),
    AlertKind.EBIKE_INDOOR: _kp(10, 60, 120, 480, 1440, True),
    AlertKind.HIGH_ALTITUDE_THROW: _kp(5, 30, 60, 1440, 2880, True),
    AlertKind.SMOKE: _kp(5, 5, 10, 240, 480, False),
    AlertKind.EBIKE_CHARGING: _kp(30, 60, 120, 480, 1440, True),
    AlertKind.FIRE_DOOR_OPEN: _kp(30, 120, 240, 1440, 2880, True),
    AlertKind.WATER_LEVEL: _kp(30, 30, 60, 480, 1440, False),
}


class CorrelationRule(ConfigModel):
    """Open cases of ``kinds`` in one building together raise each of them to ``severity``."""

    name: str
    kinds: frozenset[AlertKind] = Field(min_length=2)
    severity: Severity = Severity.CRITICAL


DEFAULT_CORRELATIONS = [
    CorrelationRule(
        name="ebike_charging_with_smoke",
        kinds=frozenset({AlertKind.EBIKE_CHARGING, AlertKind.SMOKE}),
    ),
    CorrelationRule(
        name="ebike_indoor_with_smoke",
        kinds=frozenset({AlertKind.EBIKE_INDOOR, AlertKind.SMOKE}),
    ),
]


class CasePolicy(ConfigModel):
    kinds: dict[AlertKind, KindPolicy] = Field(default_factory=lambda: dict(DEFAULT_KINDS))
    correlations: list[CorrelationRule] = Field(default_factory=lambda: list(DEFAULT_CORRELATIONS))
    recurrence_window_min: float = Field(
        default=24 * 60, ge=0, description="a new case this soon after the key's last close is flagged"
    )
    max_alert_ids: int = Field(default=50, ge=2, description="alert ids kept in the case snapshot")
    max_evidence: int = Field(default=10, ge=1, description="evidence links kept in the case snapshot")
    closed_retention_min: float = Field(
        default=7 * 24 * 60, gt=0, description="a closed key is remembered this long"
    )

    def for_kind(self, kind: AlertKind) -> KindPolicy:
        return self.kinds.get(kind) or DEFAULT_KINDS[kind]

    def merge_window(self, kind: AlertKind) -> timedelta:
        return timedelta(minutes=self.for_kind(kind).merge_window_min)
