"""``EmbeddedSite``: the running parts of a one-box site, started and stopped together.

Edge agent (its outbox forwarding in process) → ``EmbeddedPipeline`` (one SQLite transaction per message)
→ case events to the webhook relay and the console's live feed; an SLA clock ticks every second.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import ClientSession, web
from prometheus_client import CollectorRegistry

from edge.agent import EdgeAgent
from edge.config import AgentConfig
from pipeline.console.app import FEED, ConsoleSettings, build_console
from pipeline.console.auth import Accounts
from pipeline.console.evidence import MemoryEvidenceStore
from pipeline.console.sink import embedded_sink
from pipeline.core.iot_rules import IotRulesConfig
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import SlaConfig
from pipeline.embedded import EmbeddedPipeline
from pipeline.embedded.webhook_relay import WebhookRelay
from pipeline.webhooks.config import WebhooksConfig
from pipeline.webhooks.delivery import HttpSender
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.wiring import build_deliveries, build_payload_builder
from sharpeyes.clock import SystemClock
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry
from sharpeyes.site.inprocess import InProcessProducer

log = logging.getLogger("sharpeyes.site")


@dataclass
class SiteParts:
    registry: SiteRegistry
    db_path: str
    agent_config: AgentConfig
    accounts: Accounts
    console_host: str = "127.0.0.1"
    console_port: int = 8080
    hooks: WebhooksConfig | None = None
    environ: Mapping[str, str] = field(default_factory=dict)
    policy: CasePolicy | None = None
    sla: SlaConfig | None = None
    iot: IotRulesConfig | None = None
    dedupe_ttl: timedelta = timedelta(days=1)
    reader_options: dict[str, Any] = field(default_factory=dict)
    console_settings: ConsoleSettings | None = None


class EmbeddedSite:
    def __init__(self, parts: SiteParts) -> None:
        self.parts = parts
        self.pipeline = EmbeddedPipeline(
            parts.registry,
            parts.db_path,
            policy=parts.policy,
            sla=parts.sla,
            iot=parts.iot,
            dedupe_ttl=parts.dedupe_ttl,
        )
        self.evidence = MemoryEvidenceStore()
        self.health: dict[str, dict[str, object]] = {}
        producer = InProcessProducer(
            self.pipeline,
            on_alert_raw=self.evidence.keep_raw,
            on_health=lambda h: self.health.__setitem__(str(h.get("camera_id")), h),
        )
        self.agent = EdgeAgent(
            parts.agent_config, producer_factory=lambda: producer, reader_options=dict(parts.reader_options)
        )
        self.relay: WebhookRelay | None = None
        self._http: ClientSession | None = None
        self._console: web.AppRunner | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        p = self.parts
        if p.hooks is not None:
            self._http = ClientSession()
            deliveries = build_deliveries(
                p.hooks, p.environ, HttpSender(self._http), WebhookMetrics(CollectorRegistry())
            )
            self.relay = WebhookRelay(
                p.hooks.endpoints, deliveries, build_payload_builder(p.hooks, p.environ), loop
            )
            self.pipeline.subscribe(self.relay.submit)
            self._tasks.append(asyncio.create_task(self.relay.run(self._stop)))
        app = build_console(
            self.pipeline.projection,
            embedded_sink(self.pipeline),
            p.registry,
            p.accounts,
            SystemClock(),
            self.evidence,
            settings=p.console_settings,
        )
        self.pipeline.subscribe(app[FEED].publish)
        self._console = web.AppRunner(app, access_log=None)
        await self._console.setup()
        await web.TCPSite(self._console, p.console_host, p.console_port).start()
        await asyncio.to_thread(self.agent.start)
        self._tasks.append(asyncio.create_task(self._clock()))
        log.info(
            "site running",
            extra=fields(
                console=f"http://{p.console_host}:{p.console_port}/",
                cameras=len(p.agent_config.cameras),
                db=p.db_path,
                webhooks=len(p.hooks.endpoints) if p.hooks else 0,
            ),
        )

    async def _clock(self) -> None:
        while not self._stop.is_set():
            await asyncio.to_thread(self.pipeline.tick)
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=1.0)
            except TimeoutError:
                continue

    async def stop(self, drain_s: float = 10.0) -> None:
        self._stop.set()
        await asyncio.to_thread(self.agent.stop)
        _, pending = await asyncio.wait(self._tasks, timeout=drain_s) if self._tasks else (set(), set())
        for task in pending:
            task.cancel()
        if pending and self.relay is not None:
            log.warning("webhooks still pending at exit", extra=fields(pending=self.relay.pending))
        if self._http is not None:
            await self._http.close()
        if self._console is not None:
            await self._console.cleanup()

    def summary(self) -> dict[str, object]:
        cases = self.pipeline.projection.cases(limit=100_000)
        stats = self.pipeline.stats
        return {
            "alerts": stats.alerts,
            "duplicates_dropped": stats.duplicates,
            "dead_letters": dict(stats.by_reason),
            "cases_opened": stats.cases_opened,
            "cases_per_grid": dict(sorted(Counter(c.location.grid for c in cases).items())),
            "cases_by_kind": self.pipeline.projection.counts_by("kind"),
            "webhooks_delivered": self.relay.stats.delivered if self.relay else 0,
            "webhooks_failed": self.relay.stats.failed if self.relay else 0,
            "db": self.parts.db_path,
        }
