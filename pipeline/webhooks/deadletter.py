"""The webhook dead letter on ``<prefix>.webhooks.deadletter`` (key = case id).

It keeps the original case event (as a JSON object, so people can read it), the endpoint that did
not take it, how many attempts were made and the last error, so ``sharpeyes webhooks redrive`` can
deliver it again and an operator can see why it failed.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from sharpeyes.contract.base import UtcTime, WireModel, encode, parse_json_object, validate_model

WEBHOOK_DEADLETTER_SCHEMA = "sharpeyes.webhook_deadletter/1"


class DeadReason(StrEnum):
    EXHAUSTED = "exhausted"  # retriable failures until max attempts / max age
    REJECTED = "rejected"  # the receiver answered a 4xx that retrying cannot fix
    INVALID_EVENT = "invalid_event"  # the record on the case topic is not a case event


class WebhookDeadLetter(WireModel):
    schema_: str = Field(default=WEBHOOK_DEADLETTER_SCHEMA, alias="schema")
    reason: DeadReason
    detail: str = ""
    endpoint: str | None = None
    url: str | None = None
    event_id: str | None = None
    case_id: str | None = None
    attempts: int = Field(default=0, ge=0)
    last_error: str = ""
    first_attempt_at: UtcTime | None = None
    dead_at: UtcTime
    topic: str
    partition: int | None = None
    offset: int | None = None
    event: dict[str, Any] | None = Field(default=None, description="the case event, when it was one")
    original_b64: str | None = Field(default=None, description="the raw record, when it was not")
    redriven: int = Field(default=0, ge=0, description="how many times this event was re-driven")

    model_config = WireModel.model_config | {"populate_by_name": True}

    def to_bytes(self) -> bytes:
        return encode(self)


def decode_webhook_dead_letter(raw: bytes | str) -> WebhookDeadLetter:
    return validate_model(WebhookDeadLetter, parse_json_object(raw))
