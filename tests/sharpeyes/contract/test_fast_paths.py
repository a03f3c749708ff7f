"""The hot path's shortcuts give exactly what the plain paths give (made in issue 9, kept honest here).

- ``decode_alert`` tries pydantic-core's JSON parser first; whatever it accepts, the original path
  (``json.loads`` + ``check_schema`` + ``model_validate``) must accept with an equal Alert, and what
  the original refuses must still be refused with the same error.
- ``construct_trusted`` builds the same model as ``model_construct``.
- ``format_rfc3339`` writes what the strftime formatting wrote.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharpeyes.contract import Alert, CaseSnapshot, decode_alert
from sharpeyes.contract.base import check_schema, construct_trusted, parse_json_object, validate_model
from sharpeyes.errors import ContractError
from sharpeyes.timefmt import format_rfc3339, to_utc_ms
from tests.sharpeyes.contract.strategies import alert_dicts


def slow_decode(raw: bytes) -> Alert:
    data = parse_json_object(raw)
    check_schema(data.get("schema"), "sharpeyes.alert", 1)
    return validate_model(Alert, data)


def outcome(fn: object, raw: bytes) -> object:
    try:
        return fn(raw)  # type: ignore[operator]
    except ContractError as exc:
        return (type(exc).__name__, str(exc))


VALID = {
    "schema": "sharpeyes.alert/1",
    "alert_id": "a-1",
    "source_id": "cam-1",
    "kind": "ebike_indoor",
    "ts": "2026-03-02T01:00:00.125Z",
    "confidence": 0.9,
    "severity": "high",
    "agent": {"id": "nvr-1", "version": "1"},
}


def variant(**changes: object) -> bytes:
    doc = {k: v for k, v in {**VALID, **changes}.items() if v is not None}
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(variant(), id="valid"),
        pytest.param(variant(schema=None), id="schema-missing"),
        pytest.param(
            json.dumps(
                {**{k: v for k, v in VALID.items() if k != "schema"}, "schema_": VALID["schema"]}
            ).encode(),
            id="schema_-by-field-name",
        ),
        pytest.param(variant(schema="sharpeyes.alert/2"), id="schema-major-2"),
        pytest.param(variant(schema="sharpeyes.alert/1.7"), id="schema-minor"),
        pytest.param(
            b'{"schema":"sharpeyes.alert/1","alert_id":"a","alert_id":"b"' + variant()[1:],
            id="duplicate-keys",
        ),
        pytest.param(variant().replace(b"0.9", b"NaN"), id="nan-confidence"),
        pytest.param(variant(zone="\ud800"), id="lone-surrogate"),
        pytest.param(variant(kind="high_altitude_throw"), id="throw-without-attributes"),
        pytest.param(
            variant(kind="high_altitude_throw", attributes={"origin_floor": 0, "trajectory": []}),
            id="throw-bad-attributes",
        ),
        pytest.param(variant(attributes=[1]), id="attributes-not-object"),
        pytest.param(variant(ts="2026-03-02T01:00:00"), id="naive-ts"),
        pytest.param(variant(ts="2026-03-02T09:00:00.125999+08:00"), id="offset-ts-truncated"),
        pytest.param(variant(bbox=[5, 5, 1, 1]), id="bad-bbox"),
        pytest.param(b"\xef\xbb\xbf" + variant(), id="utf8-bom"),
        pytest.param(b"[1]", id="not-object"),
        pytest.param(b"{", id="not-json"),
    ],
)
def test_fast_decode_matches_the_plain_path(raw: bytes) -> None:
    assert outcome(decode_alert, raw) == outcome(slow_decode, raw)


@given(alert_dicts())
def test_fast_decode_matches_on_generated_alerts(doc: dict[str, object]) -> None:
    raw = json.dumps(doc).encode()
    assert outcome(decode_alert, raw) == outcome(slow_decode, raw)


def test_construct_trusted_equals_model_construct() -> None:
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "case_id": "g.B.smoke.0123456789",
        "case_key": "g|B|smoke",
        "kind": "smoke",
        "severity": "high",
        "status": "open",
        "location": {"street": "s", "community": "c", "grid": "g", "building": "B"},
        "floor": None,
        "zone": None,
        "source_ids": ["smk-1"],
        "opened_at": at,
        "first_seen": at,
        "last_seen": at,
        "alert_count": 1,
        "alert_ids": ["a-1"],
        "evidence": [],
        "escalation_level": None,
        "respond_by": None,
        "resolve_by": None,
        "recurrence_of": None,
        "correlated": [],
        "history": [],
        "attributes": {},
    }
    assert list(values) == list(CaseSnapshot.model_fields)  # every field given, as the callers do
    trusted = construct_trusted(CaseSnapshot, dict(values))
    plain = CaseSnapshot.model_construct(**values)
    assert trusted == plain
    assert trusted.model_fields_set == plain.model_fields_set


def reference_format(value: datetime) -> str:
    value = value.astimezone(UTC)
    value = value.replace(microsecond=(value.microsecond // 1000) * 1000)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@given(
    st.datetimes(
        min_value=datetime(2, 1, 1),  # noqa: DTZ001 - hypothesis attaches the zone
        max_value=datetime(9998, 1, 1),  # noqa: DTZ001
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3, minutes=-30))]
        ),
    )
)
def test_format_rfc3339_unchanged(value: datetime) -> None:
    assert format_rfc3339(value) == reference_format(value)
    assert to_utc_ms(value) == value.replace(microsecond=value.microsecond // 1000 * 1000)
