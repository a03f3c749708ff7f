from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.core.calendar import WorkingCalendar

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(
            datetime(2026, 11, 23, 9, 0, tzinfo=SH),
            60,
            datetime(2026, 11, 23, 10, 0, tzinfo=SH),
            id="inside-a-monday",
        ),
        pytest.param(
            datetime(2026, 11, 23, 17, 0, tzinfo=SH),
            60,
            datetime(2026, 11, 24, 9, 0, tzinfo=SH),
            id="overnight",
        ),
        pytest.param(
            datetime(2026, 11, 27, 17, 0, tzinfo=SH),
            60,
            datetime(2026, 11, 30, 9, 0, tzinfo=SH),
            id="over-the-weekend",
        ),
        pytest.param(
            datetime(2026, 11, 21, 12, 0, tzinfo=SH),
            30,
            datetime(2026, 11, 23, 9, 0, tzinfo=SH),
            id="reported-on-saturday",
        ),
    ],
)
def test_working_minutes(start: datetime, minutes: float, expected: datetime) -> None:
    assert WorkingCalendar().add_working_minutes(start, minutes) == expected


def test_holidays_and_swapped_workdays() -> None:
    cal = WorkingCalendar(
        holidays=frozenset({date(2026, 11, 24)}), extra_workdays=frozenset({date(2026, 11, 29)})
    )
    start = datetime(2026, 11, 23, 17, 0, tzinfo=SH)
    assert cal.add_working_minutes(start, 60) == datetime(2026, 11, 25, 9, 0, tzinfo=SH)
    assert cal.add_working_minutes(datetime(2026, 11, 28, 23, 0, tzinfo=UTC), 30) == datetime(
        2026, 11, 29, 9, 0, tzinfo=SH
    )
