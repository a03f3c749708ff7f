"""The IoT event message on ``sharpeyes.iot.events``: one reading or state change of one device."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from sharpeyes.contract.alert import Identifier
from sharpeyes.contract.base import (
    UtcTime,
    WireModel,
    check_schema,
    encode,
    parse_json_object,
    validate_model,
)

IOT_SCHEMA = "sharpeyes.iot/1"


class Measurement(StrEnum):
    SMOKE = "smoke"  # state: alarm | clear
    POWER_W = "power_w"  # smart socket, value in W
    DOOR_CONTACT = "door_contact"  # state: open | closed
    WATER_LEVEL_CM = "water_level_cm"  # value in cm


class IotEvent(WireModel):
    schema_: str = Field(default=IOT_SCHEMA, alias="schema")
    event_id: str = Field(min_length=1, max_length=128)
    device_id: Identifier
    ts: UtcTime
    measurement: Measurement
    value: float | None = None
    unit: str | None = Field(default=None, max_length=16)
    state: str | None = Field(default=None, max_length=32)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    model_config = WireModel.model_config | {"populate_by_name": True}

    @field_validator("schema_", mode="before")
    @classmethod
    def _schema(cls, value: Any) -> str:
        return check_schema(value, "sharpeyes.iot", 1)

    @model_validator(mode="after")
    def _reading(self) -> IotEvent:
        if self.value is None and self.state is None:
            raise ValueError("an IoT event needs a value or a state")
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self

    def to_bytes(self) -> bytes:
        return encode(self)


def decode_iot_event(raw: bytes | str) -> IotEvent:
    data = parse_json_object(raw)
    check_schema(data.get("schema"), "sharpeyes.iot", 1)
    return validate_model(IotEvent, data)
