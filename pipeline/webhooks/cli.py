"""``sharpeyes webhooks …``: run the dispatcher, re-drive dead letters, make a secret."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

import aiohttp
import click
from prometheus_client import CollectorRegistry, start_http_server

from pipeline.webhooks.config import WebhooksConfig
from pipeline.webhooks.delivery import HttpSender
from pipeline.webhooks.dispatcher import Dispatcher
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.publisher import KafkaPublisher
from pipeline.webhooks.redrive import RedriveMode, Redriver, RedriveReport
from pipeline.webhooks.signing import WebhookSecret
from pipeline.webhooks.wiring import build_deliveries, build_dispatcher, build_payload_builder
from sharpeyes.config import load_model
from sharpeyes.errors import ConfigError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

_config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="webhooks YAML (see docs/webhooks.md)",
)


def _load(path: Path) -> WebhooksConfig:
    try:
        return load_model(WebhooksConfig, path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def webhooks() -> None:
    """Deliver case events to the case system; re-drive dead letters."""


@webhooks.command("dispatch")
@_config_option
def dispatch(config_path: Path) -> None:
    """Consume <prefix>.cases and POST every case event to the configured endpoints until stopped."""
    config = _load(config_path)
    try:
        asyncio.run(_dispatch(config, config_path.parent))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


async def _dispatch(config: WebhooksConfig, base_dir: Path) -> None:
    registry = CollectorRegistry()
    metrics = WebhookMetrics(registry)
    if config.metrics_port is not None:
        start_http_server(config.metrics_port, addr=config.metrics_host, registry=registry)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    publisher = KafkaPublisher(config.kafka.bootstrap_servers)
    await publisher.start()
    try:
        async with aiohttp.ClientSession() as session:
            dispatcher = build_dispatcher(
                config, os.environ, HttpSender(session), publisher, metrics, base_dir=base_dir
            )
            log.info(
                "dispatching",
                extra=fields(topic=config.kafka.cases_topic, endpoints=[e.name for e in config.endpoints]),
            )
            progress = asyncio.create_task(_report(dispatcher, stop))
            await dispatcher.run(stop)
            progress.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await progress
    finally:
        await publisher.stop()


async def _report(dispatcher: Dispatcher, stop: asyncio.Event, every_s: float = 10.0) -> None:
    """A progress line every ``every_s`` seconds for people watching a long-running dispatcher."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s)
        log.info("progress", extra=fields(**vars(dispatcher.stats), in_flight=dispatcher.tracker.in_flight))


@webhooks.command("redrive")
@_config_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="at most N dead letters")
@click.option(
    "--republish",
    is_flag=True,
    help="put the events back on <prefix>.cases instead of delivering them to their endpoint",
)
def redrive(config_path: Path, limit: int | None, republish: bool) -> None:
    """Re-drive dead letters from <prefix>.webhooks.deadletter; prints what happened to them."""
    config = _load(config_path)
    mode = RedriveMode.REPUBLISH if republish else RedriveMode.DELIVER
    try:
        report = asyncio.run(_redrive(config, config_path.parent, mode, limit))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"read {report.read}: delivered {report.delivered}, republished {report.republished}, "
        f"dead again {report.dead_again}, skipped {report.skipped}"
    )


async def _redrive(
    config: WebhooksConfig, base_dir: Path, mode: RedriveMode, limit: int | None
) -> RedriveReport:
    metrics = WebhookMetrics(CollectorRegistry())
    publisher = KafkaPublisher(config.kafka.bootstrap_servers)
    await publisher.start()
    try:
        async with aiohttp.ClientSession() as session:
            redriver = Redriver(
                kafka=config.kafka,
                endpoints=config.endpoints,
                deliveries=build_deliveries(config, os.environ, HttpSender(session), metrics),
                builder=build_payload_builder(config, os.environ, base_dir),
                publisher=publisher,
            )
            return await redriver.run(mode, limit)
    finally:
        await publisher.stop()


@webhooks.command("new-secret")
def new_secret() -> None:
    """Print a fresh random whsec_ secret (32 bytes) for an endpoint or the inbound API."""
    click.echo(WebhookSecret.generate().encoded())
