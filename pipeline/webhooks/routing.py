"""Which endpoints get which case events: by event type and by alert kind."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.webhooks.config import EndpointConfig
from sharpeyes.contract import CaseEvent


def wants(endpoint: EndpointConfig, event: CaseEvent) -> bool:
    if endpoint.event_types is not None and event.type not in endpoint.event_types:
        return False
    return endpoint.kinds is None or event.case.kind in endpoint.kinds


def routes_for(event: CaseEvent, endpoints: Sequence[EndpointConfig]) -> list[EndpointConfig]:
    """The endpoints ``event`` goes to, in config order (possibly none)."""
    return [e for e in endpoints if wants(e, event)]
