"""The outbound dispatcher: case events from ``<prefix>.cases`` to every endpoint that wants them.

Ordering: the topic is keyed by case id, so a partition holds a case's events in order; the
dispatcher keeps one lane per case (one event in flight at a time), while different cases proceed
in parallel. Safety: an offset is committed only once every record before it on its partition was
delivered or dead-lettered (``OffsetTracker``), so a crash or restart re-reads whatever was in flight;
receivers drop the repeats by ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import KafkaError

from pipeline.webhooks.body import render
from pipeline.webhooks.config import EndpointConfig, KafkaConfig
from pipeline.webhooks.deadletter import DeadReason, WebhookDeadLetter
from pipeline.webhooks.delivery import DeliveryResult, EndpointDelivery
from pipeline.webhooks.errors import PublishError
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.offsets import OffsetTracker
from pipeline.webhooks.payload import PayloadBuilder
from pipeline.webhooks.publisher import Publisher
from pipeline.webhooks.routing import routes_for
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import CaseEvent, decode_case_event
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """What the dispatcher needs of a consumed record."""

    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class DispatchStats:
    read: int = 0
    delivered: int = 0
    dead_lettered: int = 0
    committed: int = 0


class _Revoked(ConsumerRebalanceListener):
    def __init__(self, dispatcher: Dispatcher, consumer: AIOKafkaConsumer) -> None:
        self._dispatcher = dispatcher
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self._dispatcher.commit(self._consumer)
        self._dispatcher.tracker.forget(revoked)

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        log.info("partitions assigned", extra=fields(partitions=sorted(str(tp) for tp in assigned)))


class Dispatcher:
    def __init__(
        self,
        *,
        kafka: KafkaConfig,
        endpoints: Sequence[EndpointConfig],
        deliveries: Mapping[str, EndpointDelivery],
        builder: PayloadBuilder,
        publisher: Publisher,
        metrics: WebhookMetrics,
        max_in_flight: int = 1000,
        commit_interval_s: float = 0.5,
        clock: Clock | None = None,
    ) -> None:
        self._kafka = kafka
        self._endpoints = list(endpoints)
        self._deliveries = deliveries
        self._builder = builder
        self._publisher = publisher
        self._metrics = metrics
        self._max_in_flight = max_in_flight
        self._commit_interval_s = commit_interval_s
        self._clock = clock or SystemClock()
        self.tracker: OffsetTracker[TopicPartition] = OffsetTracker()
        self.stats = DispatchStats()
        self._lanes: dict[str, deque[tuple[TopicPartition, Record]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._progress = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop`` is set (or the task is cancelled); commits only finished work."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            group_id=self._kafka.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            key_deserializer=None,
            value_deserializer=None,
        )
        consumer.subscribe([self._kafka.cases_topic], listener=_Revoked(self, consumer))
        await consumer.start()
        committer = asyncio.create_task(self._commit_loop(consumer))
        try:
            await self._consume(consumer, stop)
        finally:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            committer.cancel()
            await asyncio.gather(committer, return_exceptions=True)
            with contextlib.suppress(KafkaError):
                await self.commit(consumer)
            await consumer.stop()
            log.info("dispatcher stopped", extra=fields(**vars(self.stats), in_flight=self.tracker.in_flight))

    async def _consume(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        paused = False
        while not stop.is_set():
            full = self.tracker.in_flight >= self._max_in_flight
            if full != paused:
                # keep polling while paused, so the group does not think this consumer is dead
                (consumer.pause if full else consumer.resume)(*consumer.assignment())
                paused = full
            batch = await consumer.getmany(timeout_ms=200, max_records=max(1, self._max_in_flight // 4))
            for tp, records in batch.items():
                for record in records:
                    self._accept(tp, Record(record.offset, record.key, record.value))
            if paused:
                self._progress.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), timeout=1.0)

    def _accept(self, tp: TopicPartition, record: Record) -> None:
        self.stats.read += 1
        self.tracker.started(tp, record.offset)
        lane = record.key.decode("utf-8", "replace") if record.key else f"partition:{tp.partition}"
        queue = self._lanes.get(lane)
        if queue is not None:
            queue.append((tp, record))
            return
        self._lanes[lane] = deque([(tp, record)])
        task = asyncio.create_task(self._run_lane(lane))
        self._tasks.add(task)
        task.add_done_callback(self._lane_done)

    def _lane_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # a bug, not a delivery failure: the lane's offsets stay uncommitted, so nothing is lost
            log.error("case lane failed", exc_info=task.exception())

    async def _run_lane(self, lane: str) -> None:
        queue = self._lanes[lane]
        try:
            while queue:
                tp, record = queue[0]
                await self._process(tp, record)
                queue.popleft()
                self.tracker.finished(tp, record.offset)
                self._progress.set()
        finally:
            if self._lanes.get(lane) is queue:
                del self._lanes[lane]

    async def _process(self, tp: TopicPartition, record: Record) -> None:
        try:
            event = decode_case_event(record.value or b"")
        except ContractError as exc:
            letter = WebhookDeadLetter(
                reason=DeadReason.INVALID_EVENT,
                detail=str(exc),
                dead_at=self._clock.now(),
                topic=tp.topic,
                partition=tp.partition,
                offset=record.offset,
                original_b64=base64.b64encode(record.value or b"").decode("ascii"),
            )
            await self._dead_letter(letter, record.key or b"", "-")
            return
        routes = routes_for(event, self._endpoints)
        if not routes:
            return
        payload = self._builder.build(event)
        for endpoint in routes:
            body = render(payload, endpoint)
            result = await self._deliveries[endpoint.name].deliver(event.event_id, body)
            if result.delivered:
                self.stats.delivered += 1
                self._metrics.deliveries.labels(endpoint=endpoint.name, outcome="delivered").inc()
                continue
            await self._dead_letter(
                self._letter(event, endpoint, result, tp, record), record.key or b"", endpoint.name
            )
            self._metrics.deliveries.labels(endpoint=endpoint.name, outcome="dead_lettered").inc()

    def _letter(
        self,
        event: CaseEvent,
        endpoint: EndpointConfig,
        result: DeliveryResult,
        tp: TopicPartition,
        record: Record,
    ) -> WebhookDeadLetter:
        rejected = result.reason.startswith("rejected")
        return WebhookDeadLetter(
            reason=DeadReason.REJECTED if rejected else DeadReason.EXHAUSTED,
            detail=result.reason,
            endpoint=endpoint.name,
            url=endpoint.url,
            event_id=event.event_id,
            case_id=event.case_id,
            attempts=result.attempts,
            last_error=result.last_error,
            first_attempt_at=result.first_attempt_at,
            dead_at=self._clock.now(),
            topic=tp.topic,
            partition=tp.partition,
            offset=record.offset,
            event=event.model_dump(mode="json", by_alias=True, exclude_none=True),
        )

    async def _dead_letter(self, letter: WebhookDeadLetter, key: bytes, endpoint: str) -> None:
        """Write the dead letter, retrying until Kafka takes it: the offset may not move before."""
        for attempt in range(1, 1_000_000):
            try:
                await self._publisher.publish(self._kafka.deadletter_topic, key, letter.to_bytes())
                break
            except PublishError as exc:
                log.warning(
                    "dead letter not written, retrying", extra=fields(attempt=attempt, error=str(exc))
                )
                await asyncio.sleep(min(30.0, 0.5 * attempt))
        self.stats.dead_lettered += 1
        self._metrics.dead_letters.labels(endpoint=endpoint, reason=letter.reason.value).inc()
        log.warning(
            "case event dead-lettered",
            extra=fields(
                endpoint=endpoint,
                webhook_id=letter.event_id,
                case_id=letter.case_id,
                reason=letter.reason.value,
                attempts=letter.attempts,
                last_error=letter.last_error,
            ),
        )

    async def commit(self, consumer: AIOKafkaConsumer) -> None:
        positions = self.tracker.to_commit()
        if not positions:
            return
        assigned = consumer.assignment()
        positions = {tp: pos for tp, pos in positions.items() if tp in assigned}
        if positions:
            await consumer.commit(positions)
            self.tracker.committed(positions)
            self.stats.committed += len(positions)

    async def _commit_loop(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            await asyncio.sleep(self._commit_interval_s)
            try:
                await self.commit(consumer)
            except KafkaError as exc:
                log.warning("offset commit failed; will retry", extra=fields(error=str(exc)))
