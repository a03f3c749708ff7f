"""The Faust shell of the stream processors: agents and tables that only load state, call the
pure core (``pipeline.core``), store, and send. No decision is made here.

Stage 1 (``intake``, keyed by source id): decode → dead letter; dedupe by ``alert_id`` in a windowed
(TTL) table; enrich from the registry; forward as a command keyed by routing key (grid|building).
IoT events and case-system updates become commands on the same topic. Stage 2 (``decide``, keyed
by routing key): ``CaseDesk`` over a changelog-backed table of key states → case events.
Agents keep concurrency 1: faust can commit past an in-flight message at higher concurrency.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import faust
from prometheus_client import generate_latest

from pipeline.commands import Command, CommandType, Origin
from pipeline.config import PipelineConfig
from pipeline.core.casedesk import CaseDesk, UnknownCase
from pipeline.core.enrich import UnknownSource, enrich, place_reading
from pipeline.core.iot_rules import DeviceState, evaluate
from pipeline.core.keys import SEP, routing_key_of_case_id
from pipeline.core.lifecycle import InvalidTransition
from pipeline.core.replay import ReplayLedger
from pipeline.core.state import KeyState
from pipeline.metrics import PipelineMetrics
from pipeline.topics import Topics
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import (
    Alert,
    CaseEventType,
    DeadLetter,
    decode_alert,
    decode_case_event,
    decode_case_update,
    decode_iot_event,
)
from sharpeyes.contract.deadletter import b64
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry

log = logging.getLogger(__name__)

# outputs kept for replay this long: offsets are committed every second, older ones cannot come back
REPLAY_HORIZON_S = 60.0


class TableCaseStore:
    """``CaseStore`` over a Faust table of JSON documents (only touched inside the ``decide`` stream).

    Values are JSON-native dicts in both directions: live writes and changelog recovery then decode the
    same way (a regression: bytes written live came back as dicts after recovery and crashed the agent).
    """

    def __init__(self, table: Any) -> None:
        self.table = table

    def get(self, key: str) -> KeyState | None:
        doc = self.table.get(key)
        return None if doc is None else KeyState.model_validate(doc)

    def put(self, key: str, state: KeyState) -> None:
        self.table[key] = state.model_dump(mode="json", exclude_none=True)

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
        broker_credentials=config.kafka.security.faust_credentials(),
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
    seen = (
        app.Table("seen-alerts", default=int, partitions=n, schema=json_schema)
        .tumbling(timedelta(seconds=ttl), expires=timedelta(seconds=2 * ttl))
        .relative_to_stream()
    )
    devices = app.Table("iot-devices", default=None, partitions=n, schema=json_schema)
    cases = app.Table("case-keys", default=None, partitions=n, schema=json_schema)
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

    async def guarded(handler: Callable[[Any], Awaitable[None]], event: Any) -> None:
        """One message that breaks a stage goes to the dead letter; the stage goes on."""
        try:
            await handler(event)
        except Exception as exc:
            log.exception(
                "stage failed on a message",
                extra=fields(topic=event.message.topic, offset=event.message.offset),
            )
            await dead_letter("internal error", f"{type(exc).__name__}: {exc}", event.message)

    async def handle_alert(event: Any) -> None:
        msg = event.message
        try:
            alert = decode_alert(event.value)
        except ContractError as exc:
            await dead_letter("invalid", str(exc), msg)
            return
        # seen holds where the alert was first seen: the same message redelivered after a crash is a
        # replay and goes on (stage 2 absorbs it); the same alert_id at another offset is a duplicate
        here = _position(msg)
        window = seen[alert.alert_id]
        first = window.current() or window.delta(ttl)
        if first and first != here:
            metrics.duplicates.inc()
            return
        if not first:
            seen[alert.alert_id] = here
        try:
            ea = enrich(alert, index)
        except UnknownSource as exc:
            await dead_letter("unknown source", str(exc), msg)
            return
        metrics.alerts_in.labels(kind=alert.kind.value).inc()
        await forward(Command.for_alert(ea))

    async def handle_iot(event: Any) -> None:
        msg = event.message
        try:
            reading = decode_iot_event(event.value)
        except ContractError as exc:
            await dead_letter("invalid", str(exc), msg)
            return
        try:
            at = place_reading(reading, index)
        except UnknownSource as exc:
            await dead_letter("unknown source", str(exc), msg)
            return
        metrics.iot_events_in.labels(measurement=reading.measurement.value).inc()
        doc = devices.get(reading.device_id)
        state = DeviceState() if doc is None else DeviceState.model_validate(doc)
        offset = msg.offset
        if offset <= state.last_offset:  # a replay after a crash: re-send what this reading raised
            alerts = [Alert.model_validate(a) for a in state.emitted.get(str(offset), [])]
        else:
            alerts = evaluate(config.iot, state, reading)
            state.last_offset = offset
            if alerts:
                state.emitted[str(offset)] = [a.model_dump(mode="json", by_alias=True) for a in alerts]
                state.emitted = dict(list(state.emitted.items())[-8:])
            devices[reading.device_id] = state.model_dump(mode="json")
        for alert in alerts:
            try:
                ea = enrich(alert, index, at)
            except UnknownSource as exc:
                await dead_letter("unknown source", str(exc), msg)
                continue
            metrics.alerts_in.labels(kind=alert.kind.value).inc()
            await forward(Command.for_alert(ea))

    async def handle_update(event: Any) -> None:
        msg = event.message
        try:
            update = decode_case_update(event.value)
        except ContractError as exc:
            await dead_letter("invalid", str(exc), msg)
            return
        routing = routing_key_of_case_id(update.case_id)
        if routing is None:
            await dead_letter("unknown case", f"case {update.case_id} is not a case id of this pipeline", msg)
            return
        origin = Origin(
            topic=msg.topic, partition=msg.partition, offset=msg.offset, original_b64=b64(event.value)
        )
        await forward(Command(type=CommandType.UPDATE, routing_key=routing, update=update, origin=origin))

    async def handle_command(event: Any) -> None:
        cmd = Command.from_bytes(event.value)
        offset = event.message.offset
        ledger_key = f"{cmd.routing_key}{SEP}#ledger"
        doc = cases.get(ledger_key)
        ledger = ReplayLedger() if doc is None else ReplayLedger.model_validate(doc)
        if ledger.is_replay(offset):
            for raw_event in cases.get(f"{cmd.routing_key}{SEP}#out{SEP}{offset}") or []:
                await t_cases.send(
                    key=decode_case_event(raw_event).case_id.encode(), value=raw_event.encode()
                )
            return
        try:
            if cmd.type is CommandType.ALERT:
                ea = cmd.enriched()
                out = desk.on_alert(store, ea, ea.alert.ts)
                metrics.decision_latency.observe(max(0.0, time.time() - ea.alert.ts.timestamp()))
            elif cmd.type is CommandType.UPDATE:
                assert cmd.update is not None  # noqa: S101 - CommandType.UPDATE carries one
                out = desk.on_update(store, cmd.update, clock.now())
            else:
                assert cmd.tick_at is not None  # noqa: S101 - CommandType.TICK carries one
                out = desk.on_tick(store, cmd.tick_keys, cmd.tick_at)
        except (UnknownCase, InvalidTransition) as exc:
            reason = "unknown case" if isinstance(exc, UnknownCase) else "invalid transition"
            origin = cmd.origin
            raw = base64.b64decode(origin.original_b64) if origin and origin.original_b64 else None
            await dead_letter(reason, str(exc), _OriginMessage(origin, event.message), raw)
            out = []
        # after the case states, in the same changelog partition: what this command produced
        if out:
            cases[f"{cmd.routing_key}{SEP}#out{SEP}{offset}"] = [e.to_bytes().decode() for e in out]
        for old in ledger.record(offset, time.time(), bool(out), horizon_s=REPLAY_HORIZON_S):
            cases.pop(f"{cmd.routing_key}{SEP}#out{SEP}{old}", None)
        cases[ledger_key] = ledger.model_dump(mode="json")
        for case_event in out:
            metrics.case_events.labels(type=case_event.type.value).inc()
            if case_event.type is CaseEventType.OPENED:
                metrics.cases_opened.labels(kind=case_event.case.kind.value).inc()
            elif case_event.type is CaseEventType.ESCALATED and case_event.case.escalation_level:
                metrics.escalations.labels(level=case_event.case.escalation_level.value).inc()
            await t_cases.send(key=case_event.case_id.encode(), value=case_event.to_bytes())

    @app.agent(t_raw, concurrency=1)
    async def intake(stream: Any) -> None:
        async for event in stream.events():
            await guarded(handle_alert, event)

    @app.agent(t_iot, concurrency=1)
    async def iot_intake(stream: Any) -> None:
        async for event in stream.events():
            await guarded(handle_iot, event)

    @app.agent(t_updates, concurrency=1)
    async def updates_intake(stream: Any) -> None:
        async for event in stream.events():
            await guarded(handle_update, event)

    @app.agent(t_commands, concurrency=1)
    async def decide(stream: Any) -> None:
        async for event in stream.events():
            await guarded(handle_command, event)

    @app.timer(interval=config.sla_tick_s)
    async def sla_tick() -> None:
        """Ask each building's partition to check its cases: tables change only inside streams."""
        by_routing: dict[str, list[str]] = {}
        open_count = 0
        for key, raw in list(cases.items()):
            if "#" in key:
                continue  # replay ledgers, not case keys
            if raw and raw.get("open"):
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
        """Ready = partitions assigned, no rebalance under way, tables recovered: safe to send traffic."""
        assigned = len(app.consumer.assignment()) if app.consumer else 0
        recovered = app.tables.recovery.completed.is_set()  # type: ignore[attr-defined]
        ready = assigned > 0 and not app.rebalancing and recovered
        return web.json(
            {
                "ready": ready,
                "assigned_partitions": assigned,
                "rebalancing": app.rebalancing,
                "tables_recovered": recovered,
                "app_id": config.app_id,
                "now": datetime.now(UTC).isoformat(),
            },
            status=200 if ready else 503,
        )

    app.sharpeyes_metrics = metrics  # type: ignore[attr-defined]
    return app


def _position(message: Any) -> int:
    """A message's place in the topic as one positive int (0 means 'not seen' in a windowed table)."""
    return int(message.partition) * 2**40 + int(message.offset) + 1


class _OriginMessage:
    """Dead letters of commands name the message that caused them (the update), not the command."""

    def __init__(self, origin: Origin | None, fallback: Any) -> None:
        self.topic = origin.topic if origin else fallback.topic
        self.partition = origin.partition if origin else fallback.partition
        self.offset = origin.offset if origin else fallback.offset
        self.key = fallback.key
        self.value = fallback.value
