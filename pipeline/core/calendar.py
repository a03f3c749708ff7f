"""Working-time calendar for SLA deadlines (按期结案率 counts working hours, not wall-clock hours)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from sharpeyes.config.camera import ConfigModel


class WorkingCalendar(ConfigModel):
    timezone: str = "Asia/Shanghai"
    workdays: frozenset[int] = Field(default=frozenset({0, 1, 2, 3, 4}), description="0 = Monday")
    start: time = time(8, 30)
    end: time = time(17, 30)
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = Field(default=frozenset(), description="调休: weekend days worked")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        ZoneInfo(value)
        return value

    def _is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() in self.workdays and day not in self.holidays

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant ``minutes`` of working time after ``start`` (aware in, aware UTC-comparable out)."""
        zone = ZoneInfo(self.timezone)
        cursor = start.astimezone(zone)
        remaining = timedelta(minutes=minutes)
        for _ in range(3660):  # ten years of days: bounded even for absurd inputs
            day = cursor.date()
            if self._is_workday(day):
                open_at = datetime.combine(day, self.start, zone)
                close_at = datetime.combine(day, self.end, zone)
                begin = max(cursor, open_at)
                if begin < close_at:
                    available = close_at - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            cursor = datetime.combine(day + timedelta(days=1), time(0, 0), zone)
        raise ValueError("deadline more than ten years of working time away")
