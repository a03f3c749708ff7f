"""``sharpeyes pipeline …``: run a Faust worker, create or check the topics."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import click

from pipeline.config import PipelineConfig, load_pipeline_config
from sharpeyes.errors import ConfigError, SharpEyesError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry, load_registry

log = logging.getLogger("sharpeyes.pipeline")


@click.group()
def pipeline() -> None:
    """Stream processors on faust-streaming against Kafka."""


def _load(config_path: Path) -> tuple[PipelineConfig, SiteRegistry]:
    try:
        config = load_pipeline_config(config_path)
        registry = load_registry(config.registry)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return config, registry


@pipeline.command("topics")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--check", is_flag=True, help="only compare the broker with the config; create nothing")
def topics_cmd(config_path: Path, check: bool) -> None:
    """Create missing topics (partitions, replication, retention); or, with --check, report every
    topic that is missing or configured unlike the config (changelogs must be compacted)."""
    from pipeline.topics import check_topics, ensure_topics

    config, _ = _load(config_path)
    try:
        if check:
            checked = check_topics(config.kafka, config.app_id)
            click.echo(f"topics ok ({len(checked)} checked)")
            return
        created = ensure_topics(config.kafka)
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"topics ok ({len(created)} created)")


@pipeline.command("run")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--port", type=int, default=None, help="override web.port (several workers on one host)")
def run_cmd(config_path: Path, port: int | None) -> None:
    """Start one Faust worker (run N of them with the same app_id to spread the partitions)."""
    import faust

    from pipeline.faust_app import build_app
    from pipeline.topics import ensure_topics

    config, registry = _load(config_path)
    if port is not None:
        config = config.model_copy(update={"web": config.web.model_copy(update={"port": port})})
    try:
        ensure_topics(config.kafka)
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - broker unreachable: say so in one line, not a traceback
        raise click.ClickException(f"cannot reach Kafka at {config.kafka.bootstrap}: {exc}") from None
    app = build_app(config, registry)
    log.info(
        "pipeline worker starting",
        extra=fields(
            app_id=config.app_id,
            bootstrap=config.kafka.bootstrap,
            security=config.kafka.security.describe(),
            prefix=config.kafka.topic_prefix,
            port=config.web.port,
        ),
    )
    # keep our structured log format (configured by the CLI) instead of faust's own
    worker = faust.Worker(app, loglevel="INFO", quiet=True, override_logging=False)
    worker.execute_from_commandline()


@pipeline.command("project")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="the case projection (SQLite) the console and the inbound API read",
)
@click.option(
    "--inbound",
    "inbound_at",
    default=None,
    metavar="HOST:PORT",
    help="also serve POST /api/v1/cases/{id}/updates here (secret from $SHARPEYES_INBOUND_SECRET)",
)
def project_cmd(config_path: Path, db: Path, inbound_at: str | None) -> None:
    """Maintain the case projection from <prefix>.cases; optionally serve the case system's updates API."""
    import asyncio

    config, _ = _load(config_path)
    secret = os.environ.get("SHARPEYES_INBOUND_SECRET")
    if inbound_at and not secret:
        raise click.ClickException(
            "--inbound needs SHARPEYES_INBOUND_SECRET (a whsec_ value) in the environment"
        )
    asyncio.run(_project(config, db, inbound_at, secret))


async def _project(config: PipelineConfig, db: Path, inbound_at: str | None, secret: str | None) -> None:
    import asyncio
    import signal
    from datetime import timedelta

    from aiohttp import web

    from pipeline.projection import CaseProjection
    from pipeline.projector import Projector
    from pipeline.topics import Topics
    from pipeline.webhooks.inbound import UpdatesHandler, create_inbound_app
    from pipeline.webhooks.publisher import KafkaPublisher
    from pipeline.webhooks.replay import ReplayCache
    from pipeline.webhooks.signing import Verifier, WebhookSecret

    topics = Topics(config.kafka.topic_prefix)
    projection = CaseProjection.open(str(db))
    kwargs = config.kafka.security.aiokafka_kwargs()
    projector = Projector(
        projection, config.kafka.bootstrap, topics.cases, f"{config.app_id}-projection", kwargs
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = None
    publisher = None
    if inbound_at and secret:
        host, _, port = inbound_at.rpartition(":")
        publisher = KafkaPublisher(config.kafka.bootstrap)
        await publisher.start()
        handler = UpdatesHandler(
            verifier=Verifier([WebhookSecret.parse(secret)]),
            directory=projection,
            publisher=publisher,
            updates_topic=topics.case_updates,
            replay=ReplayCache(timedelta(minutes=10)),
        )
        runner = web.AppRunner(create_inbound_app(handler), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
        log.info("inbound updates API", extra=fields(at=inbound_at, topic=topics.case_updates))
    log.info("projecting", extra=fields(topic=topics.cases, db=str(db)))
    try:
        await projector.run(stop)
    finally:
        if runner is not None:
            await runner.cleanup()
        if publisher is not None:
            await publisher.stop()
