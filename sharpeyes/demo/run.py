"""The demo's orchestration: scenes → edge agent → embedded pipeline → case system and console."""

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

from aiohttp import ClientSession, web
from prometheus_client import CollectorRegistry

from sharpeyes.clock import SystemClock
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry

log = logging.getLogger("sharpeyes.demo")


@dataclass(frozen=True)
class DemoOptions:
    out: Path
    district: Path
    duration_s: float | None
    speed: float
    console_port: int
    seed: int
    clip_s: float
    username: str
    password: str | None


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def run_demo(
    opts: DemoOptions, registry: SiteRegistry, say: Callable[[str], None]
) -> dict[str, object]:
    from edge.agent import EdgeAgent
    from edge.config import AgentConfig
    from pipeline.console.app import FEED, build_console
    from pipeline.console.auth import Account, Accounts, Role
    from pipeline.console.evidence import MemoryEvidenceStore
    from pipeline.console.passwords import ScryptHash, hash_password
    from pipeline.console.sink import embedded_sink
    from pipeline.core.sla import SlaConfig
    from pipeline.embedded import EmbeddedPipeline
    from pipeline.embedded.webhook_relay import WebhookRelay
    from pipeline.webhooks.config import EndpointConfig, RetryConfig, WebhooksConfig
    from pipeline.webhooks.delivery import HttpSender
    from pipeline.webhooks.metrics import WebhookMetrics
    from pipeline.webhooks.signing import WebhookSecret
    from pipeline.webhooks.wiring import build_deliveries, build_payload_builder
    from sharpeyes.demo.inprocess import InProcessProducer
    from sharpeyes.demo.iot_sim import pick_devices, readings
    from sharpeyes.demo.receiver import ReceiverLog, build_receiver
    from sharpeyes.demo.scenes import prepare

    opts.out.mkdir(parents=True, exist_ok=True)
    cameras = await asyncio.to_thread(prepare, opts.out / "clips", registry, opts.seed, opts.clip_s, say)

    db = opts.out / "state.sqlite"
    for stale in opts.out.glob("state.sqlite*"):
        stale.unlink()
    # SLA deadlines shrink with the playback speed so escalations show up during a short demo
    pipeline = EmbeddedPipeline(registry, str(db), sla=SlaConfig(time_scale=min(1.0, 0.02 / opts.speed)))
    evidence = MemoryEvidenceStore()
    loop = asyncio.get_running_loop()

    # the case system: a local receiver that verifies every signature
    secret = WebhookSecret.generate()
    received = ReceiverLog()
    receiver_port = _free_port()
    receiver = await _serve(build_receiver(secret, received), receiver_port)
    hooks = WebhooksConfig(
        endpoints=[
            EndpointConfig(
                name="case-system", url=f"http://127.0.0.1:{receiver_port}/cases", secrets=[secret.encoded()]
            )
        ],
        retry=RetryConfig(initial_backoff_s=0.2, max_backoff_s=5.0, max_attempts=20),
        district=str(opts.district),
    )
    http = ClientSession()
    metrics = WebhookMetrics(CollectorRegistry())
    deliveries = build_deliveries(hooks, {}, HttpSender(http), metrics)
    relay = WebhookRelay(hooks.endpoints, deliveries, build_payload_builder(hooks, {}), loop)
    pipeline.subscribe(relay.submit)

    # the console, with one operator account for this run
    password = opts.password or secrets.token_urlsafe(9)
    hashed = ScryptHash.decode(hash_password(password))
    accounts = Accounts([Account(opts.username, Role.SUPERVISOR, "值班长 demo", hashed)])
    console_app = build_console(
        pipeline.projection, embedded_sink(pipeline), registry, accounts, SystemClock(), evidence
    )
    pipeline.subscribe(console_app[FEED].publish)
    console = await _serve(console_app, opts.console_port)

    # the edge agent on the clips, forwarding in process
    health: dict[str, dict[str, object]] = {}
    agent_config = AgentConfig.model_validate(
        {
            "agent_id": "nvr-demo-01",
            "kafka": {"bootstrap": "in-process", "topic_prefix": "sharpeyes"},
            "outbox": {"path": str(opts.out / "outbox.sqlite")},
            "metrics_port": 0,
            "heartbeat_every_s": 5.0,
            "cameras": [c.config.model_dump(mode="json") for c in cameras],
        }
    )
    for stale in opts.out.glob("outbox.sqlite*"):
        stale.unlink()
    producer = InProcessProducer(
        pipeline,
        on_alert_raw=evidence.keep_raw,
        on_health=lambda h: health.__setitem__(str(h.get("camera_id")), h),
    )
    agent = EdgeAgent(
        agent_config,
        producer_factory=lambda: producer,
        reader_options={"speed": opts.speed, "loop_files": True},
    )

    say(f"console   http://127.0.0.1:{opts.console_port}/   user {opts.username}  password {password}")
    say(f"receiver  http://127.0.0.1:{receiver_port}/cases (verifies Standard Webhooks signatures)")
    say(
        f"cameras   {', '.join(c.config.id for c in cameras)}; IoT time-lapse in one building; "
        f"speed x{opts.speed:g}; state in {db}"
    )

    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))
    await asyncio.to_thread(agent.start)

    async def iot() -> None:
        cast = pick_devices(registry, avoid={c.config.building or "" for c in cameras})
        for reading in readings(cast, datetime.now(UTC) - timedelta(minutes=30)):
            if stop.is_set():
                return
            await asyncio.to_thread(pipeline.submit_iot, reading.to_bytes())
            await asyncio.sleep(1.0 / opts.speed)

    async def clock() -> None:
        while not stop.is_set():
            await asyncio.to_thread(pipeline.tick)
            await asyncio.sleep(1.0)

    async def progress() -> None:
        started = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(10.0)
            s = pipeline.stats
            say(
                f"[{time.monotonic() - started:4.0f}s] alerts {s.alerts}, duplicates dropped {s.duplicates}, "
                f"cases opened {s.cases_opened}, webhooks delivered {relay.stats.delivered}"
            )

    tasks = [asyncio.create_task(t) for t in (iot(), clock(), progress())]
    loop.add_signal_handler(signal.SIGINT, stop.set)  # Ctrl-C ends the run and still prints the summary
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=opts.duration_s)
    finally:
        stop.set()
        await asyncio.to_thread(agent.stop)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            await asyncio.wait_for(relay_task, timeout=10)
        except TimeoutError:
            log.warning("webhooks still pending at exit", extra=fields(pending=relay.pending))
        await http.close()
        await console.cleanup()
        await receiver.cleanup()

    per_grid = Counter(c.location.grid for c in pipeline.projection.cases())
    return {
        "alerts": pipeline.stats.alerts,
        "duplicates_dropped": pipeline.stats.duplicates,
        "dead_letters": dict(pipeline.stats.by_reason),
        "cases_opened": pipeline.stats.cases_opened,
        "cases_per_grid": dict(sorted(per_grid.items())),
        "cases_by_kind": pipeline.projection.counts_by("kind"),
        "webhooks_delivered": relay.stats.delivered,
        "webhooks_failed": relay.stats.failed,
        "case_system_accepted": len(received.accepted),
        "case_system_repeats": received.repeats,
        "case_system_refused": received.refused,
        "db": str(db),
    }
