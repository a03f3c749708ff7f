"""Hypothesis strategies for valid wire messages."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import strategies as st

from sharpeyes.contract import AlertKind, Severity

identifiers = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:\-]{0,40}\Z")
# hypothesis takes naive bounds and attaches the zone itself
times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda d: d.replace(microsecond=(d.microsecond // 1000) * 1000))
rfc3339 = times.map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z")
sha = st.text("0123456789abcdef", min_size=64, max_size=64)


@st.composite
def attributes_for(draw: st.DrawFn, kind: AlertKind) -> dict[str, object]:
    if kind is AlertKind.HIGH_ALTITUDE_THROW:
        n = draw(st.integers(2, 20))
        floats = st.floats(0, 4000, allow_nan=False).map(lambda v: round(v, 3))
        return {
            "origin_floor": draw(st.integers(1, 60)),
            "trajectory": [[draw(floats), draw(floats), draw(floats)] for _ in range(n)],
        }
    if kind is AlertKind.CORRIDOR_CLUTTER:
        return {"since": draw(rfc3339), "dwell_s": draw(st.floats(0, 86400, allow_nan=False))}
    return draw(st.dictionaries(st.sampled_from(["k", "floor", "note"]), st.integers(0, 99), max_size=2))


@st.composite
def alert_dicts(draw: st.DrawFn) -> dict[str, object]:
    kind = draw(st.sampled_from(list(AlertKind)))
    data: dict[str, object] = {
        "schema": "sharpeyes.alert/1",
        "alert_id": draw(identifiers),
        "source_id": draw(identifiers),
        "kind": kind.value,
        "ts": draw(rfc3339),
        "confidence": draw(st.floats(0, 1, allow_nan=False)),
        "severity": draw(st.sampled_from(list(Severity))).value,
        "attributes": draw(attributes_for(kind)),
        "agent": {
            "id": draw(identifiers),
            "version": "0.1.0",
            "model": {"name": "m", "version": "1", "sha256": draw(sha)},
        },
    }
    if draw(st.booleans()):
        data["zone"] = "fire_lane"
    if draw(st.booleans()):
        x1, y1 = draw(st.integers(0, 1000)), draw(st.integers(0, 1000))
        data["bbox"] = [x1, y1, x1 + draw(st.integers(0, 200)), y1 + draw(st.integers(0, 200))]
    if draw(st.booleans()):
        data["evidence"] = {"uri": "https://evidence.example/a.jpg", "sha256": draw(sha)}
    return data
