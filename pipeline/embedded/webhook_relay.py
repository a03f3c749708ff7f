"""Case events of the embedded runner → the case system, through the same delivery code as the
Kafka dispatcher (Standard Webhooks signatures, retries, breaker, payload), in event order.

The runner calls ``submit`` from whatever thread decided; delivery happens on the relay's event loop.
One consumer delivers sequentially, so each case's events arrive in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pipeline.webhooks.body import render
from pipeline.webhooks.config import EndpointConfig
from pipeline.webhooks.delivery import EndpointDelivery
from pipeline.webhooks.payload import PayloadBuilder
from pipeline.webhooks.routing import routes_for
from sharpeyes.contract import CaseEvent
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


@dataclass
class RelayStats:
    delivered: int = 0
    failed: int = 0


class WebhookRelay:
    def __init__(
        self,
        endpoints: Sequence[EndpointConfig],
        deliveries: Mapping[str, EndpointDelivery],
        builder: PayloadBuilder,
        loop: asyncio.AbstractEventLoop,
        max_queue: int = 10_000,
    ) -> None:
        self._endpoints = list(endpoints)
        self._deliveries = deliveries
        self._builder = builder
        self._loop = loop
        self._queue: asyncio.Queue[CaseEvent] = asyncio.Queue(max_queue)
        self.stats = RelayStats()

    def submit(self, event: CaseEvent) -> None:
        """Thread-safe hand-off (a ``EmbeddedPipeline.subscribe`` listener)."""
        self._loop.call_soon_threadsafe(self._queue.put_nowait, event)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def run(self, stop: asyncio.Event) -> None:
        while not (stop.is_set() and self._queue.empty()):
            try:
                event = await asyncio.wait_for(self._queue.get(), timeout=0.5)
            except TimeoutError:
                continue
            payload = self._builder.build(event)
            for endpoint in routes_for(event, self._endpoints):
                result = await self._deliveries[endpoint.name].deliver(
                    event.event_id, render(payload, endpoint)
                )
                if result.delivered:
                    self.stats.delivered += 1
                else:
                    self.stats.failed += 1
                    log.warning(
                        "webhook not delivered",
                        extra=fields(
                            endpoint=endpoint.name,
                            webhook_id=event.event_id,
                            reason=result.reason,
                            attempts=result.attempts,
                        ),
                    )
