"""The demo's orchestration: scenes → edge agent → embedded pipeline → case system and console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiohttp import web

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


def demo_detectors() -> dict[str, object]:
    """The demo agent's ``detectors`` settings: the corridor camera's clutter rule knows people by the
    shipped detector's person class, and which pixels of their boxes they show by the shipped silhouette
    model."""
    from edge.analyzers import DEFAULT_INDOOR_MANIFEST, DEFAULT_SILHOUETTE_MANIFEST

    return {
        "manifests": {"indoor": str(DEFAULT_INDOOR_MANIFEST)},
        "clutter_people_model": "indoor",
        "clutter_silhouettes": str(DEFAULT_SILHOUETTE_MANIFEST),
    }


async def run_demo(
    opts: DemoOptions, registry: SiteRegistry, say: Callable[[str], None]
) -> dict[str, object]:
    from edge.config import AgentConfig
    from pipeline.console.auth import Account, Accounts, Role
    from pipeline.console.passwords import ScryptHash, hash_password
    from pipeline.core.sla import SlaConfig
    from pipeline.webhooks.config import EndpointConfig, RetryConfig, WebhooksConfig
    from pipeline.webhooks.signing import WebhookSecret
    from sharpeyes.demo.iot_sim import pick_devices, readings
    from sharpeyes.demo.receiver import ReceiverLog, build_receiver
    from sharpeyes.demo.scenes import prepare
    from sharpeyes.site.embedded import EmbeddedSite, SiteParts

    opts.out.mkdir(parents=True, exist_ok=True)
    cameras = await asyncio.to_thread(prepare, opts.out / "clips", registry, opts.seed, opts.clip_s, say)
    for stale in [*opts.out.glob("state.sqlite*"), *opts.out.glob("outbox.sqlite*")]:
        stale.unlink()

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
    password = opts.password or secrets.token_urlsafe(9)
    account = Account(
        opts.username, Role.SUPERVISOR, "值班长 demo", ScryptHash.decode(hash_password(password))
    )
    agent_config = AgentConfig.model_validate(
        {
            "agent_id": "nvr-demo-01",
            "kafka": {"bootstrap": "in-process", "topic_prefix": "sharpeyes"},
            "outbox": {"path": str(opts.out / "outbox.sqlite")},
            "metrics_port": 0,
            "heartbeat_every_s": 5.0,
            "cameras": [c.config.model_dump(mode="json") for c in cameras],
            "detectors": demo_detectors(),
        }
    )
    site = EmbeddedSite(
        SiteParts(
            registry=registry,
            db_path=str(opts.out / "state.sqlite"),
            agent_config=agent_config,
            accounts=Accounts([account]),
            console_port=opts.console_port,
            hooks=hooks,
            # SLA deadlines shrink with the playback speed so escalations show up during a short demo
            sla=SlaConfig(time_scale=min(1.0, 0.02 / opts.speed)),
            reader_options={"speed": opts.speed, "loop_files": True},
        )
    )
    await site.start()
    say(f"console   http://127.0.0.1:{opts.console_port}/   user {opts.username}  password {password}")
    say(f"receiver  http://127.0.0.1:{receiver_port}/cases (verifies Standard Webhooks signatures)")
    say(
        f"cameras   {', '.join(c.config.id for c in cameras)}; IoT time-lapse in one building; "
        f"speed x{opts.speed:g}; state in {site.parts.db_path}"
    )

    stop = asyncio.Event()

    async def iot() -> None:
        cast = pick_devices(registry, avoid={c.config.building or "" for c in cameras})
        for reading in readings(cast, datetime.now(UTC) - timedelta(minutes=30)):
            if stop.is_set():
                return
            await asyncio.to_thread(site.pipeline.submit_iot, reading.to_bytes())
            await asyncio.sleep(1.0 / opts.speed)

    async def progress() -> None:
        started = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(10.0)
            s = site.pipeline.stats
            delivered = site.relay.stats.delivered if site.relay else 0
            say(
                f"[{time.monotonic() - started:4.0f}s] alerts {s.alerts}, duplicates dropped {s.duplicates}, "
                f"cases opened {s.cases_opened}, webhooks delivered {delivered}"
            )

    tasks = [asyncio.create_task(t) for t in (iot(), progress())]
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, stop.set)  # Ctrl-C ends the run and still prints the summary
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=opts.duration_s)
    finally:
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await site.stop()
        await receiver.cleanup()
    return {
        **site.summary(),
        "case_system_accepted": len(received.accepted),
        "case_system_repeats": received.repeats,
        "case_system_refused": received.refused,
    }
