"""The Faust shell of the stream processors: agents and tables that only load state, call the
pure core (``pipeline.core``), store, and send. No decision is made here.

Stage 1 (``intake``, keyed by source id): decode → dead letter; dedupe by ``alert_id`` in a windowed
(TTL) table; enrich from the registry; forward as a command keyed by routing key (grid|building).
IoT events and case-system updates become commands on the same topic. Stage 2 (``decide``, keyed
by routing key): ``CaseDesk`` over a changelog-backed table of key states → case events.
Agents keep concurrency 1: faust can commit past an in-flight message at higher concurrency.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
from prometheus_client import generate_latest

from pipeline.commands import Command, CommandType, Origin
from pipeline.config import PipelineConfig
from pipeline.core.casedesk import CaseDesk, UnknownCase
from pipeline.core.enrich import UnknownSource, enrich
from pipeline.core.iot_rules import DeviceState, evaluate
from pipeline.core.keys import SEP, routing_key_of_case_id
from pipeline.core.lifecycle import InvalidTransition
from pipeline.core.state import KeyState
from pipeline.metrics import PipelineMetrics
from pipeline.topics import Topics
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import CaseEventType, DeadLetter, decode_alert, decode_case_update, decode_iot_event
from sharpeyes.contract.deadletter import b64
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry

log = logging.getLogger(__name__)


class TableCaseStore:
    """``CaseStore`` over a Faust table of JSON bytes (only touched inside the ``decide`` stream)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, key: str) -> KeyState | None:
        raw = self.table.get(key)
        return None if raw is None else KeyState.from_bytes(raw)

    def put(self, key: str, state: KeyState) -> None:
        self.table[key] = state.to_bytes()

    def delete(self, key: str) -> None:
        self.table.pop(key, None)


def build_app(config: PipelineConfig, registry: SiteRegistry, clock: Clock | None = None) -> faust.App:
    clock = clock or SystemClock()
    topics = Topics(config.kafka.topic_prefix)
    n = config.kafka.partitions
    metrics = PipelineMetrics()
    desk = CaseDesk(config.policy, config.sla)
    index = registry.index

    datadir = config.data_dir / config.app_id
    datadir.parent.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        config.app_id,
        broker=[f"kafka://{h}" for h in config.kafka.bootstrap.split(",")],
        store="memory://",
        topic_partitions=n,
        topic_replication_factor=config.kafka.replication_factor,
        table_standby_replicas=0,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        broker_commit_interval=1.0,
        web_host=config.web.host,
        web_bind=config.web.host,
        web_port=config.web.port,
        datadir=str(datadir),
        table_cleanup_interval=60.0,
    )

    def raw_topic(name: str, internal: bool = False) -> Any:
        return app.topic(
            name,
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=n,
            internal=internal,
        )

    t_raw = raw_topic(topics.alerts_raw)
    t_iot = raw_topic(topics.iot_events)
    t_updates = raw_topic(topics.case_updates)
    t_commands = raw_topic(topics.commands)
    t_cases = raw_topic(topics.cases)
    t_dead = raw_topic(topics.deadletter)

    ttl = config.dedupe_ttl_s
    json_schema: Any = faust.Schema(key_serializer="json", value_serializer="json")
    bytes_schema: Any = faust.Schema(
        key_type=str, value_type=bytes, key_serializer="json", value_serializer="raw"
    )
    seen = (
        app.Table(f"{config.app_id}-seen-alerts", default=int, partitions=n, schema=json_schema)
        .tumbling(timedelta(seconds=ttl), expires=timedelta(seconds=2 * ttl))
        .relative_to_stream()
    )
    devices = app.Table(f"{config.app_id}-iot-devices", default=None, partitions=n, schema=bytes_schema)
    cases = app.Table(f"{config.app_id}-case-keys", default=None, partitions=n, schema=bytes_schema)
    store = TableCaseStore(cases)

    async def dead_letter(reason: str, detail: str, message: Any, raw: bytes | None = None) -> None:
        metrics.dead_letters.labels(reason=reason).inc()
        record = DeadLetter(
            reason=reason,
            detail=detail[:2000],
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            key_b64=b64(message.key),
            original_b64=b64(raw if raw is not None else message.value) or "",
            ts=clock.now(),
        )
        log.warning(
            "dead letter",
            extra=fields(
                reason=reason,
                detail=detail[:200],
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
            ),
        )
        await t_dead.send(key=message.key, value=record.to_bytes())

    async def forward(cmd: Command) -> None:
        await t_commands.send(key=cmd.routing_key.encode(), value=cmd.to_bytes())

    @app.agent(t_raw, concurrency=1)
    async def intake(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            msg = event.message
            try:
                alert = decode_alert(event.value)
            except ContractError as exc:
                await dead_letter("invalid", str(exc), msg)
                continue
            window = seen[alert.alert_id]
            if window.current() or window.delta(ttl):
                metrics.duplicates.inc()
                continue
            seen[alert.alert_id] += 1
            try:
                ea = enrich(alert, index)
            except UnknownSource as exc:
                await dead_letter("unknown source", str(exc), msg)
                continue
            metrics.alerts_in.labels(kind=alert.kind.value).inc()
            await forward(Command.for_alert(ea))
            yield None

    @app.agent(t_iot, concurrency=1)
    async def iot_intake(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            msg = event.message
            try:
                reading = decode_iot_event(event.value)
            except ContractError as exc:
                await dead_letter("invalid", str(exc), msg)
                continue
            if index.place_source(reading.device_id) is None and (
                reading.lat is None or index.locate(reading.lon or 0, reading.lat) is None
            ):
                await dead_letter(
                    "unknown source", f"device {reading.device_id} is not in the site registry", msg
                )
                continue
            metrics.iot_events_in.labels(measurement=reading.measurement.value).inc()
            raw_state = devices.get(reading.device_id)
            state = DeviceState() if raw_state is None else DeviceState.model_validate_json(raw_state)
            alerts = evaluate(config.iot, state, reading)
            devices[reading.device_id] = state.model_dump_json().encode()
            for alert in alerts:
                try:
                    ea = enrich(alert, index)
                except UnknownSource as exc:
                    await dead_letter("unknown source", str(exc), msg)
                    continue
                metrics.alerts_in.labels(kind=alert.kind.value).inc()
                await forward(Command.for_alert(ea))
            yield None

    @app.agent(t_updates, concurrency=1)
    async def updates_intake(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            msg = event.message
            try:
                update = decode_case_update(event.value)
            except ContractError as exc:
                await dead_letter("invalid", str(exc), msg)
                continue
            routing = routing_key_of_case_id(update.case_id)
            if routing is None:
                await dead_letter(
                    "unknown case", f"case {update.case_id} is not a case id of this pipeline", msg
                )
                continue
            origin = Origin(
                topic=msg.topic, partition=msg.partition, offset=msg.offset, original_b64=b64(event.value)
            )
            await forward(Command(type=CommandType.UPDATE, routing_key=routing, update=update, origin=origin))
            yield None

    @app.agent(t_commands, concurrency=1)
    async def decide(stream: Any) -> AsyncIterator[None]:
        async for event in stream.events():
            cmd = Command.from_bytes(event.value)
            try:
                if cmd.type is CommandType.ALERT:
                    ea = cmd.enriched()
                    out = desk.on_alert(store, ea, ea.alert.ts)
                    metrics.decision_latency.observe(max(0.0, time.time() - ea.alert.ts.timestamp()))
                elif cmd.type is CommandType.UPDATE:
                    assert cmd.update is not None  # noqa: S101 - CommandType.UPDATE carries one
                    out = desk.on_update(store, cmd.update, clock.now())
                else:
                    assert cmd.tick_at is not None  # noqa: S101
                    out = desk.on_tick(store, cmd.tick_keys, cmd.tick_at)
            except (UnknownCase, InvalidTransition) as exc:
                reason = "unknown case" if isinstance(exc, UnknownCase) else "invalid transition"
                origin = cmd.origin
                raw = None
                if origin is not None and origin.original_b64:
                    import base64

                    raw = base64.b64decode(origin.original_b64)
                await dead_letter(reason, str(exc), _OriginMessage(origin, event.message), raw)
                continue
            for case_event in out:
                metrics.case_events.labels(type=case_event.type.value).inc()
                if case_event.type is CaseEventType.OPENED:
                    metrics.cases_opened.labels(kind=case_event.case.kind.value).inc()
                elif case_event.type is CaseEventType.ESCALATED and case_event.case.escalation_level:
                    metrics.escalations.labels(level=case_event.case.escalation_level.value).inc()
                await t_cases.send(key=case_event.case_id.encode(), value=case_event.to_bytes())
            yield None

    @app.timer(interval=config.sla_tick_s)
    async def sla_tick() -> None:
        """Ask each building's partition to check its cases: tables change only inside streams."""
        by_routing: dict[str, list[str]] = {}
        open_count = 0
        for key, raw in list(cases.items()):
            if raw is not None and b'"open":' in raw:
                open_count += 1
            grid, building, _ = key.split(SEP)
            by_routing.setdefault(f"{grid}{SEP}{building}", []).append(key)
        metrics.open_cases.set(open_count)
        now = clock.now()
        for routing, keys in by_routing.items():
            await forward(Command(type=CommandType.TICK, routing_key=routing, tick_at=now, tick_keys=keys))

    @app.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(metrics.registry), content_type="text/plain; version=0.0.4")

    @app.page("/healthz")
    async def health_page(web: Any, request: Any) -> Any:
        return web.json({"ok": True, "app_id": config.app_id, "now": datetime.now(UTC).isoformat()})

    app.sharpeyes_metrics = metrics  # type: ignore[attr-defined]
    return app


class _OriginMessage:
    """Dead letters of commands name the message that caused them (the update), not the command."""

    def __init__(self, origin: Origin | None, fallback: Any) -> None:
        self.topic = origin.topic if origin else fallback.topic
        self.partition = origin.partition if origin else fallback.partition
        self.offset = origin.offset if origin else fallback.offset
        self.key = fallback.key
        self.value = fallback.value
