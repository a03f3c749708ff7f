"""``sharpeyes demo --kafka``: the same demo through a real broker, a Faust worker and the Kafka-side
services (projector, webhook dispatcher, console over the projection).

Each run gets its own topic prefix, so runs never read each other's messages. The worker is a
subprocess (``sharpeyes pipeline run``) stopped with SIGTERM; everything else runs in this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from aiohttp import ClientSession, web
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from pipeline.worker_process import PipelineWorkerProcess, WorkerProcessError
from sharpeyes.clock import SystemClock
from sharpeyes.demo.run import DemoOptions, _free_port, _serve, demo_detectors
from sharpeyes.errors import SharpEyesError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry

if TYPE_CHECKING:
    from pipeline.projection import CaseProjection
    from pipeline.projector import ProjectorStats
    from pipeline.webhooks.dispatcher import DispatchStats

log = logging.getLogger("sharpeyes.demo.kafka")

WORKER_READY_S = 120.0
DRAIN_S = 20.0


class DemoWorkerFailed(SharpEyesError):
    """The Faust worker exited or never became ready."""

    retriable = True


@dataclass(frozen=True)
class WorkerCounts:
    """What the worker's /metrics says about the alerts it saw."""

    alerts: int = 0
    duplicates: int = 0
    dead_letters: dict[str, int] | None = None


def parse_worker_metrics(text: str) -> WorkerCounts:
    """Sum the worker's Prometheus counters the summary quotes (pure, for tests)."""
    alerts = duplicates = 0.0
    dead: dict[str, int] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "sharpeyes_alerts_received_total":
                alerts += sample.value
            elif sample.name == "sharpeyes_alert_duplicates_dropped_total":
                duplicates += sample.value
            elif sample.name == "sharpeyes_dead_letters_total":
                reason = sample.labels.get("reason", "")
                dead[reason] = dead.get(reason, 0) + int(sample.value)
    return WorkerCounts(int(alerts), int(duplicates), dead)


class WorkerProcess(PipelineWorkerProcess):
    """In its own session: Ctrl-C stops the demo, which stops the worker after its summary."""

    def __init__(self, config: Path, log_path: Path) -> None:
        super().__init__(config, log_path, new_session=True)

    def wait_ready(self, timeout: float = WORKER_READY_S) -> None:
        try:
            super().wait_ready(timeout)
        except WorkerProcessError as exc:
            raise DemoWorkerFailed(str(exc)) from None

    def counts(self) -> WorkerCounts:
        try:
            return parse_worker_metrics(self.metrics())
        except OSError as exc:
            log.warning("worker metrics unavailable", extra=fields(problem=str(exc)))
            return WorkerCounts()

    def stop(self, timeout: float = 30.0) -> None:
        super().stop(timeout)
        log.info("worker stopped", extra=fields(returncode=self.proc.returncode))


def write_worker_config(
    path: Path, *, app_id: str, bootstrap: str, prefix: str, district: Path, speed: float
) -> Path:
    doc = {
        "app_id": app_id,
        "kafka": {"bootstrap": bootstrap, "topic_prefix": prefix, "partitions": 2},
        "registry": str(district.resolve()),
        "data_dir": str(path.parent / "worker-data"),
        "sla_tick_s": 1.0,
        # SLA deadlines shrink with the playback speed so escalations show up during a short demo
        "sla": {"time_scale": min(1.0, 0.02 / speed)},
    }
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


async def run_distributed_demo(
    opts: DemoOptions, registry: SiteRegistry, bootstrap: str, say: Callable[[str], None]
) -> dict[str, object]:
    from aiokafka import AIOKafkaConsumer
    from kafka import KafkaProducer

    from edge.agent import EdgeAgent
    from edge.config import AgentConfig
    from pipeline.config import KafkaConfig
    from pipeline.console.app import FEED, build_console
    from pipeline.console.auth import Account, Accounts, Role
    from pipeline.console.evidence import MemoryEvidenceStore
    from pipeline.console.passwords import ScryptHash, hash_password
    from pipeline.console.sink import kafka_sink
    from pipeline.console.tail import ProjectionTail
    from pipeline.projection import CaseProjection
    from pipeline.projector import Projector
    from pipeline.topics import Topics, ensure_topics
    from pipeline.webhooks.config import WebhooksConfig
    from pipeline.webhooks.delivery import HttpSender
    from pipeline.webhooks.metrics import WebhookMetrics
    from pipeline.webhooks.publisher import KafkaPublisher
    from pipeline.webhooks.signing import WebhookSecret
    from pipeline.webhooks.wiring import build_dispatcher
    from sharpeyes.demo.iot_sim import pick_devices, readings
    from sharpeyes.demo.receiver import ReceiverLog, build_receiver
    from sharpeyes.demo.scenes import prepare

    opts.out.mkdir(parents=True, exist_ok=True)
    cameras = await asyncio.to_thread(prepare, opts.out / "clips", registry, opts.seed, opts.clip_s, say)

    run_id = secrets.token_hex(4)
    prefix = f"demo-{run_id}.sharpeyes"
    topics = Topics(prefix)
    created = await asyncio.to_thread(
        ensure_topics, KafkaConfig(bootstrap=bootstrap, topic_prefix=prefix, partitions=2)
    )
    say(f"kafka     {bootstrap}: topics {prefix}.* ({len(created)} created)")

    worker_config = write_worker_config(
        opts.out / "pipeline.yaml",
        app_id=f"demo-{run_id}",
        bootstrap=bootstrap,
        prefix=prefix,
        district=opts.district,
        speed=opts.speed,
    )
    worker = WorkerProcess(worker_config, opts.out / "worker.log")
    say(f"worker    sharpeyes pipeline run (pid {worker.proc.pid}, :{worker.port}), log {worker.log_path}")

    db = opts.out / "projection.sqlite"
    for stale in opts.out.glob("projection.sqlite*"):
        stale.unlink()
    projection_writer = CaseProjection.open(str(db))
    projection = CaseProjection.open(str(db))  # the console's own connection: WAL lets it read alongside
    projector = Projector(projection_writer, bootstrap, topics.cases, group_id=f"{prefix}.projector")
    evidence = MemoryEvidenceStore()

    # the case system: a local receiver that verifies every signature
    secret = WebhookSecret.generate()
    received = ReceiverLog()
    receiver_port = _free_port()
    receiver = await _serve(build_receiver(secret, received), receiver_port)
    hooks = WebhooksConfig.model_validate(
        {
            "kafka": {
                "bootstrap_servers": bootstrap,
                "topic_prefix": prefix,
                "group_id": f"{prefix}.webhooks",
                "redrive_group_id": f"{prefix}.webhooks-redrive",
            },
            "endpoints": [
                {
                    "name": "case-system",
                    "url": f"http://127.0.0.1:{receiver_port}/cases",
                    "secrets": [secret.encoded()],
                }
            ],
            "retry": {"initial_backoff_s": 0.2, "max_backoff_s": 5.0, "max_attempts": 20},
            "district": str(opts.district.resolve()),
        }
    )
    publisher = KafkaPublisher(bootstrap)
    http = ClientSession()
    dispatcher = build_dispatcher(hooks, {}, HttpSender(http), publisher, WebhookMetrics(CollectorRegistry()))

    # the console over the projection; operator actions go to <prefix>.cases.updates
    password = opts.password or secrets.token_urlsafe(9)
    hashed = ScryptHash.decode(hash_password(password))
    accounts = Accounts([Account(opts.username, Role.SUPERVISOR, "值班长 demo", hashed)])
    console_app = build_console(
        projection,
        kafka_sink(publisher, topics.case_updates),
        registry,
        accounts,
        SystemClock(),
        evidence,
    )
    tail = ProjectionTail(projection.conn, console_app[FEED].publish)

    # the edge agent on the clips, with its real Kafka producer
    for stale in opts.out.glob("outbox.sqlite*"):
        stale.unlink()
    agent_config = AgentConfig.model_validate(
        {
            "agent_id": "nvr-demo-01",
            "kafka": {"bootstrap": bootstrap, "topic_prefix": prefix},
            "outbox": {"path": str(opts.out / "outbox.sqlite")},
            "metrics_port": 0,
            "heartbeat_every_s": 5.0,
            "cameras": [c.config.model_dump(mode="json") for c in cameras],
            "detectors": demo_detectors(),
        }
    )
    agent = EdgeAgent(agent_config, reader_options={"speed": opts.speed, "loop_files": True})

    stop = asyncio.Event()  # ends the inputs (agent, IoT)
    drained = asyncio.Event()  # ends the consumers once the last case events are through
    loop = asyncio.get_running_loop()
    services: list[asyncio.Task[None]] = []
    inputs: list[asyncio.Task[None]] = []
    console: web.AppRunner | None = None
    iot_producer: KafkaProducer | None = None
    agent_started = False
    try:
        await asyncio.to_thread(worker.wait_ready)
        await publisher.start()
        services = [
            asyncio.create_task(projector.run(drained)),
            asyncio.create_task(dispatcher.run(drained)),
            asyncio.create_task(tail.run()),
        ]

        async def keep_evidence() -> None:
            consumer = AIOKafkaConsumer(
                topics.alerts_raw, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
            )
            await consumer.start()
            try:
                while not drained.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=200)
                    for records in batch.values():
                        for r in records:
                            if r.value is not None:
                                evidence.keep_raw(r.value)
            finally:
                await consumer.stop()

        services.append(asyncio.create_task(keep_evidence()))
        console = await _serve(console_app, opts.console_port)

        say(f"console   http://127.0.0.1:{opts.console_port}/   user {opts.username}  password {password}")
        say(f"receiver  http://127.0.0.1:{receiver_port}/cases (verifies Standard Webhooks signatures)")
        say(
            f"cameras   {', '.join(c.config.id for c in cameras)}; IoT time-lapse in one building; "
            f"speed x{opts.speed:g}; projection in {db}"
        )

        iot_producer = await asyncio.to_thread(
            lambda: KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        )
        await asyncio.to_thread(agent.start)
        agent_started = True

        async def iot(producer: KafkaProducer) -> None:
            cast = pick_devices(registry, avoid={c.config.building or "" for c in cameras})
            for reading in readings(cast, datetime.now(UTC) - timedelta(minutes=30)):
                if stop.is_set():
                    return
                producer.send(topics.iot_events, key=reading.device_id.encode(), value=reading.to_bytes())
                await asyncio.sleep(1.0 / opts.speed)

        async def progress() -> None:
            started = time.monotonic()
            while not stop.is_set():
                await asyncio.sleep(10.0)
                counts = await asyncio.to_thread(worker.counts)
                say(
                    f"[{time.monotonic() - started:4.0f}s] alerts {counts.alerts}, duplicates dropped "
                    f"{counts.duplicates}, cases opened {_opened(projection)}, "
                    f"webhooks delivered {dispatcher.stats.delivered}"
                )

        inputs = [asyncio.create_task(iot(iot_producer)), asyncio.create_task(progress())]
        loop.add_signal_handler(signal.SIGINT, stop.set)  # Ctrl-C ends the run and still prints the summary
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=opts.duration_s)
    finally:
        stop.set()
        if agent_started:
            await asyncio.to_thread(agent.stop)
        for t in inputs:
            t.cancel()
        await asyncio.gather(*inputs, return_exceptions=True)
        if iot_producer is not None:
            await asyncio.to_thread(iot_producer.close, 10)
        if services:
            await _drain(projector.stats, dispatcher.stats)
        counts = await asyncio.to_thread(worker.counts) if worker.proc.poll() is None else WorkerCounts()
        drained.set()
        for t in services:
            if t.done():
                continue
            try:
                await asyncio.wait_for(asyncio.shield(t), timeout=15)
            except TimeoutError:
                t.cancel()
        await asyncio.gather(*services, return_exceptions=True)
        with contextlib.suppress(Exception):
            await publisher.stop()
        await http.close()
        if console is not None:
            await console.cleanup()
        await receiver.cleanup()
        await asyncio.to_thread(worker.stop)

    per_grid = Counter(c.location.grid for c in projection.cases(limit=100_000))
    return {
        "alerts": counts.alerts,
        "duplicates_dropped": counts.duplicates,
        "dead_letters": dict(counts.dead_letters or {}),
        "cases_opened": _opened(projection),
        "cases_per_grid": dict(sorted(per_grid.items())),
        "cases_by_kind": projection.counts_by("kind"),
        "webhooks_delivered": dispatcher.stats.delivered,
        "webhooks_failed": dispatcher.stats.dead_lettered,
        "case_system_accepted": len(received.accepted),
        "case_system_repeats": received.repeats,
        "case_system_refused": received.refused,
        "db": str(db),
        "kafka": {"bootstrap": bootstrap, "topic_prefix": prefix},
        "notes": (
            "evidence thumbnails come from a tail of <prefix>.alerts.raw kept in memory by this "
            "process; counts of alerts and duplicates are the worker's /metrics at the end"
        ),
    }


def _opened(projection: CaseProjection) -> int:
    row = projection.conn.execute("SELECT COUNT(*) FROM cases").fetchone()
    return int(row[0])


async def _drain(projected: ProjectorStats, dispatched: DispatchStats, quiet_s: float = 3.0) -> None:
    """Wait (at most DRAIN_S) until no new case event was projected or delivered for ``quiet_s``:
    the worker's last decisions reach the console and the case system before the summary."""
    deadline = time.monotonic() + DRAIN_S
    last = (-1, -1)
    since = time.monotonic()
    while time.monotonic() < deadline:
        now = (projected.applied, dispatched.delivered)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            return
        await asyncio.sleep(0.5)
