"""Re-drive webhook dead letters once the receiver is fixed: deliver again, or put back on the case topic.

``deliver`` (default) sends each dead letter's event to the endpoint named in it, with the normal
retry policy; if it fails again a new dead letter (``redriven`` + 1, attempts added up) replaces it.
``republish`` writes the event back to ``<prefix>.cases`` for the dispatcher, which sends it to every
endpoint that wants it (receivers drop repeats by ``webhook-id``). Either way a dead letter's offset
is committed only after it was handled, and the run stops at the end offsets seen at start, so
letters it writes itself are left for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from aiokafka import AIOKafkaConsumer, TopicPartition

from pipeline.webhooks.body import render
from pipeline.webhooks.config import EndpointConfig, KafkaConfig
from pipeline.webhooks.deadletter import WebhookDeadLetter, decode_webhook_dead_letter
from pipeline.webhooks.delivery import EndpointDelivery
from pipeline.webhooks.payload import PayloadBuilder
from pipeline.webhooks.publisher import Publisher
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import CaseEvent
from sharpeyes.contract.base import validate_model
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


class RedriveMode(StrEnum):
    DELIVER = "deliver"
    REPUBLISH = "republish"


@dataclass
class RedriveReport:
    read: int = 0
    delivered: int = 0
    republished: int = 0
    dead_again: int = 0
    skipped: int = 0


class Redriver:
    def __init__(
        self,
        *,
        kafka: KafkaConfig,
        endpoints: Sequence[EndpointConfig],
        deliveries: Mapping[str, EndpointDelivery],
        builder: PayloadBuilder,
        publisher: Publisher,
        clock: Clock | None = None,
    ) -> None:
        self._kafka = kafka
        self._endpoints = {e.name: e for e in endpoints}
        self._deliveries = deliveries
        self._builder = builder
        self._publisher = publisher
        self._clock = clock or SystemClock()

    async def run(
        self, mode: RedriveMode, limit: int | None = None, join_timeout_s: float = 30.0
    ) -> RedriveReport:
        report = RedriveReport()
        consumer = AIOKafkaConsumer(
            self._kafka.deadletter_topic,
            bootstrap_servers=self._kafka.bootstrap_servers,
            group_id=self._kafka.redrive_group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            ends = await self._end_offsets(consumer, join_timeout_s)
            while ends and (limit is None or report.read < limit):
                positions = {tp: await consumer.position(tp) for tp in ends}
                if all(positions[tp] >= end for tp, end in ends.items()):
                    break
                batch = await consumer.getmany(*ends, timeout_ms=500, max_records=1)
                for tp, records in batch.items():
                    for record in records:
                        report.read += 1
                        await self._handle(record.value or b"", mode, report)
                        await consumer.commit({tp: record.offset + 1})
                        log.info("dead letter re-driven", extra=fields(offset=record.offset, **vars(report)))
        finally:
            await consumer.stop()
        return report

    async def _end_offsets(self, consumer: AIOKafkaConsumer, timeout_s: float) -> dict[TopicPartition, int]:
        """Join the group and read where the topic ends now; {} when there is nothing to do."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not consumer.assignment():
            if loop.time() > deadline:
                return {}
            await consumer.getmany(timeout_ms=200, max_records=1)  # joins the group
        assigned = list(consumer.assignment())
        consumer.pause(*assigned)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(assigned)
        consumer.resume(*assigned)
        return ends

    async def _handle(self, raw: bytes, mode: RedriveMode, report: RedriveReport) -> None:
        try:
            letter = decode_webhook_dead_letter(raw)
            if letter.event is None:
                raise ContractError("event", "no case event to re-drive (the record was not one)")
            event = validate_model(CaseEvent, letter.event)
        except ContractError as exc:
            report.skipped += 1
            log.warning("dead letter skipped", extra=fields(problem=str(exc)))
            return
        if mode is RedriveMode.REPUBLISH:
            await self._publisher.publish(self._kafka.cases_topic, event.case_id.encode(), event.to_bytes())
            report.republished += 1
            return
        endpoint = self._endpoints.get(letter.endpoint or "")
        if endpoint is None:
            report.skipped += 1
            log.warning("dead letter for an unknown endpoint", extra=fields(endpoint=letter.endpoint))
            return
        body = render(self._builder.build(event), endpoint)
        result = await self._deliveries[endpoint.name].deliver(event.event_id, body)
        if result.delivered:
            report.delivered += 1
            return
        again = WebhookDeadLetter.model_validate(
            {
                **letter.model_dump(),
                "attempts": letter.attempts + result.attempts,
                "last_error": result.last_error,
                "detail": result.reason,
                "dead_at": self._clock.now(),
                "redriven": letter.redriven + 1,
            }
        )
        await self._publisher.publish(self._kafka.deadletter_topic, event.case_id.encode(), again.to_bytes())
        report.dead_again += 1
