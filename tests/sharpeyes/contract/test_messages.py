"""IoT events, case events, case updates, dead letters: round trips and named errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharpeyes.contract import (
    AlertKind,
    CaseEvent,
    CaseEventType,
    CaseSnapshot,
    CaseStatus,
    CaseUpdate,
    DeadLetter,
    GridPath,
    IotEvent,
    Measurement,
    Severity,
    decode_case_event,
    decode_case_update,
    decode_dead_letter,
    decode_iot_event,
)
from sharpeyes.errors import ContractError, UnsupportedSchemaError
from tests.sharpeyes.contract.strategies import identifiers, times

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@given(
    identifiers,
    times,
    st.sampled_from(list(Measurement)),
    st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
    st.one_of(st.none(), st.sampled_from(["alarm", "clear", "open", "closed"])),
    st.one_of(st.none(), st.tuples(st.floats(-90, 90), st.floats(-180, 180))),
)
def test_iot_round_trip(
    device: str,
    ts: datetime,
    m: Measurement,
    value: float | None,
    state: str | None,
    loc: tuple[float, float] | None,
) -> None:
    if value is None and state is None:
        state = "alarm"
    event = IotEvent(
        event_id=f"e-{device}",
        device_id=device,
        ts=ts,
        measurement=m,
        value=value,
        state=state,
        lat=loc[0] if loc else None,
        lon=loc[1] if loc else None,
    )
    assert decode_iot_event(event.to_bytes()) == event


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        pytest.param({"value": None, "state": None}, "", "value or a state", id="no-reading"),
        pytest.param({"lat": 95.0, "lon": 120.0}, "lat", "less than or equal to 90", id="lat-range"),
        pytest.param({"lat": 30.0}, "", "lat and lon go together", id="lat-without-lon"),
        pytest.param(
            {"measurement": "radiation"}, "measurement", "Input should be", id="unknown-measurement"
        ),
        pytest.param({"device_id": ""}, "device_id", "at least 1", id="empty-device"),
    ],
)
def test_iot_invalid(change: dict[str, object], field: str, words: str) -> None:
    base = {
        "schema": "sharpeyes.iot/1",
        "event_id": "e1",
        "device_id": "skt-1",
        "ts": "2026-11-21T08:00:00Z",
        "measurement": "power_w",
        "value": 350.0,
        "unit": "W",
    }
    with pytest.raises(ContractError) as caught:
        decode_iot_event(json.dumps({**base, **change}))
    assert caught.value.field == field
    assert words in str(caught.value)


def _snapshot() -> CaseSnapshot:
    return CaseSnapshot(
        case_id="case-1",
        case_key="gr-01-01|B-001|smoke",
        kind=AlertKind.SMOKE,
        severity=Severity.HIGH,
        status=CaseStatus.OPEN,
        location=GridPath(street="s", community="c", grid="g", building="B-001"),
        opened_at=T0,
        first_seen=T0,
        last_seen=T0,
        alert_count=1,
        alert_ids=["a1"],
    )


def test_case_event_round_trip() -> None:
    event = CaseEvent(
        event_id="case-1:1",
        case_id="case-1",
        type=CaseEventType.OPENED,
        ts=T0,
        alert_id="a1",
        case=_snapshot(),
    )
    assert decode_case_event(event.to_bytes()) == event
    assert json.loads(event.to_bytes())["schema"] == "sharpeyes.case_event/1"


def test_case_update_round_trip_and_errors() -> None:
    update = CaseUpdate(
        update_id="u1", case_id="case-1", status=CaseStatus.DISPATCHED, ts=T0, actor="grid-worker"
    )
    assert decode_case_update(update.to_bytes()) == update
    bad = json.loads(update.to_bytes())
    bad["status"] = "teleported"
    with pytest.raises(ContractError) as caught:
        decode_case_update(json.dumps(bad))
    assert caught.value.field == "status"
    with pytest.raises(UnsupportedSchemaError):
        decode_case_update(json.dumps({**bad, "schema": "sharpeyes.case_update/3"}))


def test_dead_letter_keeps_original_bytes() -> None:
    dl = DeadLetter(
        reason="invalid",
        detail="confidence: too high",
        topic="x",
        partition=0,
        offset=5,
        original_b64="//4=",
        ts=T0,
    )
    assert decode_dead_letter(dl.to_bytes()).original == b"\xff\xfe"
