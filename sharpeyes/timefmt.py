"""Event time on the wire: RFC 3339, UTC, millisecond precision, always timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp; naive timestamps are refused (event time needs a zone)."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamp {text!r} has no timezone offset")
    return value.astimezone(UTC)


def to_utc_ms(value: datetime) -> datetime:
    """Normalise to UTC and truncate to whole milliseconds, the precision of the wire."""
    if value.tzinfo is not UTC:  # already UTC (what decoding returns): no conversion to pay for
        if value.tzinfo is None:
            raise ValueError("naive datetime: event time must be timezone-aware")
        value = value.astimezone(UTC)
    micro = value.microsecond
    return value if micro % 1000 == 0 else value.replace(microsecond=micro - micro % 1000)


def format_rfc3339(value: datetime) -> str:
    """``2026-11-21T08:30:00.125Z``: the one way this project writes a time."""
    value = to_utc_ms(value)
    if value.year >= 1000:  # isoformat is C and pads years to 4 digits; strftime's %Y does not below 1000
        return value.isoformat(timespec="milliseconds")[:-6] + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)
