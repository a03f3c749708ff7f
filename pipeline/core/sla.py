"""SLA deadlines and escalation up the grid hierarchy (grid → community → street), once per level.

A case is *overdue* when it is still open (not dispatched) after its respond-by time, or not yet
resolved after its resolve-by time. From the moment it became overdue, it escalates one level per
respond period: to the grid at once, the community one period later, the street two periods later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from pipeline.core.calendar import WorkingCalendar
from pipeline.core.policy import CasePolicy, Deadline
from sharpeyes.config.camera import ConfigModel
from sharpeyes.contract import AlertKind, CaseStatus, EscalationLevel, Severity

LEVELS = [EscalationLevel.GRID, EscalationLevel.COMMUNITY, EscalationLevel.STREET]
_RESPONDED = {CaseStatus.DISPATCHED, CaseStatus.IN_PROGRESS}
_RESOLVED = {CaseStatus.RESOLVED, CaseStatus.VERIFIED, CaseStatus.CLOSED, CaseStatus.REJECTED_FALSE_POSITIVE}


class SlaConfig(ConfigModel):
    calendar: WorkingCalendar = Field(default_factory=WorkingCalendar)
    time_scale: float = Field(
        default=1.0, gt=0, le=1.0, description="multiplies every deadline: 0.001 makes an hour 3.6 s (tests)"
    )


class SlaClock:
    def __init__(self, policy: CasePolicy, config: SlaConfig) -> None:
        self.policy = policy
        self.config = config

    def _after(self, start: datetime, minutes: float, deadline: Deadline) -> datetime:
        minutes *= self.config.time_scale
        if deadline.working_time and self.config.time_scale == 1.0:
            return self.config.calendar.add_working_minutes(start, minutes)
        return start + timedelta(minutes=minutes)

    def deadlines(
        self, kind: AlertKind, severity: Severity, opened_at: datetime
    ) -> tuple[datetime, datetime, float]:
        """respond-by, resolve-by, and the escalation step in seconds."""
        d = self.policy.for_kind(kind).deadline(severity)
        step_s = d.respond_min * 60 * self.config.time_scale
        return self._after(opened_at, d.respond_min, d), self._after(opened_at, d.resolve_min, d), step_s


def overdue_since(
    status: CaseStatus, respond_by: datetime, resolve_by: datetime, now: datetime
) -> datetime | None:
    if status in _RESOLVED:
        return None
    if status not in _RESPONDED and now >= respond_by:
        return respond_by
    if now >= resolve_by:
        return resolve_by
    return None


def due_level(overdue_at: datetime, step_s: float, now: datetime) -> EscalationLevel:
    steps = int((now - overdue_at).total_seconds() // max(step_s, 1e-3))
    return LEVELS[min(steps, len(LEVELS) - 1)]
