from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sharpeyes.contract import Alert, ThrowAttributes, decode_alert
from sharpeyes.errors import ContractError, UnsupportedSchemaError
from tests.sharpeyes.contract.strategies import alert_dicts

VALID: dict[str, Any] = {
    "schema": "sharpeyes.alert/1",
    "alert_id": "nvr-07:cam-b03-facade-e:throw-17",
    "source_id": "cam-b03-facade-e",
    "kind": "high_altitude_throw",
    "ts": "2026-11-21T08:30:00.125Z",
    "confidence": 0.93,
    "severity": "high",
    "bbox": [600, 120, 612, 131],
    "attributes": {"origin_floor": 7, "trajectory": [[0.0, 606, 125], [0.04, 606, 131]]},
    "agent": {"id": "nvr-07", "version": "0.1.0"},
}


@given(alert_dicts())
def test_round_trip_is_identity(data: dict[str, object]) -> None:
    alert = decode_alert(json.dumps(data).encode())
    again = decode_alert(alert.to_bytes())
    assert again == alert
    assert again.to_bytes() == alert.to_bytes()


@given(alert_dicts(), st.dictionaries(st.from_regex(r"\Ax_[a-z]{1,8}\Z"), st.integers(), max_size=3))
def test_unknown_optional_fields_are_tolerated(data: dict[str, object], extra: dict[str, int]) -> None:
    assert decode_alert(json.dumps({**data, **extra}).encode()) == decode_alert(json.dumps(data).encode())


def test_times_are_normalised_to_utc_milliseconds() -> None:
    alert = decode_alert(json.dumps({**VALID, "ts": "2026-11-21T16:30:00.125999+08:00"}))
    assert json.loads(alert.to_bytes())["ts"] == "2026-11-21T08:30:00.125Z"
    assert isinstance(alert.attributes, ThrowAttributes)
    assert alert.attributes.origin_floor == 7


def _with(path: str, value: object) -> dict[str, Any]:
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[p]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        pytest.param("alert_id", _DELETE, "alert_id", "missing", id="missing-alert-id"),
        pytest.param("alert_id", "", "alert_id", "at least 1", id="empty-alert-id"),
        pytest.param("source_id", "cam with spaces", "source_id", "pattern", id="bad-source-id"),
        pytest.param("kind", "graffiti", "kind", "Input should be", id="unknown-kind"),
        pytest.param("ts", "2026-11-21 08:30", "ts", "timezone", id="naive-ts"),
        pytest.param("ts", "yesterday", "ts", "Invalid isoformat", id="garbage-ts"),
        pytest.param("confidence", 1.5, "confidence", "less than or equal to 1", id="confidence-high"),
        pytest.param("confidence", "high", "confidence", "valid number", id="confidence-type"),
        pytest.param("severity", "urgent", "severity", "Input should be", id="unknown-severity"),
        pytest.param("bbox", [10, 10, 5, 20], "bbox", "x2 >= x1", id="inverted-bbox"),
        pytest.param("bbox", [1, 2, 3], "bbox", "at least 4", id="short-bbox"),
        pytest.param(
            "attributes.origin_floor",
            0,
            "attributes.origin_floor",
            "greater than or equal to 1",
            id="floor-zero",
        ),
        pytest.param(
            "attributes.origin_floor", _DELETE, "attributes.origin_floor", "missing", id="throw-without-floor"
        ),
        pytest.param(
            "attributes.trajectory", [[0, 1]], "attributes.trajectory[0]", "at least 3", id="trajectory-short"
        ),
        pytest.param("attributes", "x", "attributes", "object", id="attributes-not-object"),
        pytest.param("attributes", _DELETE, "attributes", "required for kind", id="throw-without-attributes"),
        pytest.param("agent", _DELETE, "agent", "missing", id="missing-agent"),
        pytest.param("agent.id", "", "agent.id", "at least 1", id="empty-agent-id"),
        pytest.param("evidence", {"sha256": "ab"}, "evidence.sha256", "pattern", id="short-evidence-sha"),
        pytest.param("evidence", {}, "evidence", "snapshot_jpeg or uri", id="empty-evidence"),
    ],
)
def test_each_invalid_field_is_named(path: str, value: object, field: str, words: str) -> None:
    with pytest.raises(ContractError) as caught:
        decode_alert(json.dumps(_with(path, value)).encode())
    assert caught.value.field == field
    assert words in str(caught.value)


@given(alert_dicts(), st.sampled_from(["confidence", "severity", "ts", "kind", "agent"]))
def test_property_any_corrupted_field_is_named(data: dict[str, object], field: str) -> None:
    data[field] = ["not", "valid"]
    with pytest.raises(ContractError) as caught:
        decode_alert(json.dumps(data).encode())
    assert caught.value.field.split(".")[0] == field


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        pytest.param(b"\xff\xfe", "not UTF-8", id="not-utf8"),
        pytest.param(b"{", "not JSON", id="truncated"),
        pytest.param(b"[1, 2]", "JSON object", id="array"),
        pytest.param(b'"alert"', "JSON object", id="string"),
    ],
)
def test_unreadable_messages(raw: bytes, words: str) -> None:
    with pytest.raises(ContractError, match=words):
        decode_alert(raw)


@pytest.mark.parametrize("schema", ["sharpeyes.alert/2", "sharpeyes.alert/10.1"])
def test_unknown_major_version_is_rejected(schema: str) -> None:
    with pytest.raises(UnsupportedSchemaError, match="unsupported major version"):
        decode_alert(json.dumps({**VALID, "schema": schema}))


def test_minor_version_is_accepted() -> None:
    assert decode_alert(json.dumps({**VALID, "schema": "sharpeyes.alert/1.3"})).alert_id == VALID["alert_id"]


def test_other_message_schema_is_rejected() -> None:
    with pytest.raises(ContractError, match=re.escape("expected 'sharpeyes.alert/1'")):
        decode_alert(json.dumps({**VALID, "schema": "sharpeyes.iot/1"}))


def test_models_are_frozen() -> None:
    alert = Alert.model_validate(VALID)
    with pytest.raises(ValueError, match="frozen"):
        alert.confidence = 0.1  # type: ignore[misc]
