"""The bytes one endpoint receives for a case event: the documented case JSON, or Open311."""

from __future__ import annotations

from pipeline.webhooks.config import EndpointConfig, PayloadFormat
from pipeline.webhooks.open311 import to_open311
from pipeline.webhooks.payload import CasePayload, dump


def render(payload: CasePayload, endpoint: EndpointConfig) -> bytes:
    if endpoint.format is PayloadFormat.OPEN311:
        return dump(to_open311(payload, endpoint.jurisdiction_id))
    return payload.to_bytes()
