"""``sharpeyes pipeline …``: run a Faust worker, create or check the topics."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class _EvidenceServing:
    at: str
    db: Path
    key: bytes
    max_bytes: int


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
@click.option(
    "--evidence",
    "evidence_at",
    default=None,
    metavar="HOST:PORT",
    help="also archive the alerts' snapshots and serve the webhooks' signed GET /evidence/{alert_id} links "
    "here (the link key from the variable --evidence-key-env names)",
)
@click.option(
    "--evidence-key-env",
    default="SHARPEYES_EVIDENCE_KEY",
    show_default=True,
    help="the variable holding the link key: the same one the webhooks config's evidence.secret_env names",
)
@click.option(
    "--evidence-db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="the snapshot archive (SQLite) [default: beside --db, <db>.evidence]",
)
@click.option("--evidence-max-mb", type=click.IntRange(1, 1_000_000), default=1024, show_default=True)
def project_cmd(
    config_path: Path,
    db: Path,
    inbound_at: str | None,
    evidence_at: str | None,
    evidence_key_env: str,
    evidence_db: Path | None,
    evidence_max_mb: int,
) -> None:
    """Maintain the case projection from <prefix>.cases; optionally serve the case system's updates API
    and the evidence snapshots its webhooks link to."""
    import asyncio

    config, _ = _load(config_path)
    secret = os.environ.get("SHARPEYES_INBOUND_SECRET")
    if inbound_at and not secret:
        raise click.ClickException(
            "--inbound needs SHARPEYES_INBOUND_SECRET (a whsec_ value) in the environment"
        )
    evidence = None
    if evidence_at:
        key = os.environ.get(evidence_key_env, "")
        if len(key.encode()) < 16:
            raise click.ClickException(
                f"--evidence needs the link key (at least 16 bytes) in ${evidence_key_env}"
            )
        evidence = _EvidenceServing(
            evidence_at,
            evidence_db or db.with_name(db.name + ".evidence"),
            key.encode(),
            evidence_max_mb << 20,
        )
    asyncio.run(_project(config, db, inbound_at, secret, evidence))


async def _serve(app: Any, at: str) -> Any:
    from aiohttp import web

    host, _, port = at.rpartition(":")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
    return runner


async def _project(
    config: PipelineConfig,
    db: Path,
    inbound_at: str | None,
    secret: str | None,
    evidence: _EvidenceServing | None = None,
) -> None:
    import asyncio
    import signal
    from datetime import timedelta

    from aiohttp import web

    from pipeline.evidence_archive import EvidenceArchive
    from pipeline.projection import CaseProjection
    from pipeline.projector import Projector
    from pipeline.topic_follower import TopicFollower
    from pipeline.topics import Topics
    from pipeline.webhooks.evidence_links import EvidenceLinkSigner, add_evidence_route
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
    runners = []
    publisher = None
    followers: list[TopicFollower] = []
    archive = None
    try:
        if inbound_at and secret:
            publisher = KafkaPublisher(config.kafka.bootstrap)
            await publisher.start()
            handler = UpdatesHandler(
                verifier=Verifier([WebhookSecret.parse(secret)]),
                directory=projection,
                publisher=publisher,
                updates_topic=topics.case_updates,
                replay=ReplayCache(timedelta(minutes=10)),
            )
            runners.append(await _serve(create_inbound_app(handler), inbound_at))
            log.info("inbound updates API", extra=fields(at=inbound_at, topic=topics.case_updates))
        if evidence is not None:
            archive = EvidenceArchive.open(evidence.db, evidence.max_bytes)
            app = web.Application()
            # only check() is used here: the signer's base URL and TTL matter where links are made
            signer = EvidenceLinkSigner(evidence.key, f"http://{evidence.at}", timedelta(days=1))
            add_evidence_route(app, signer, archive)
            runners.append(await _serve(app, evidence.at))
            group = f"{config.app_id}-evidence"
            followers.append(
                TopicFollower(archive.file_batch, config.kafka.bootstrap, topics.alerts_raw, group, kwargs)
            )
            log.info("evidence links", extra=fields(at=evidence.at, archive=str(evidence.db)))
        log.info("projecting", extra=fields(topic=topics.cases, db=str(db)))
        await asyncio.gather(projector.run(stop), *(f.run(stop) for f in followers))
    finally:
        for runner in runners:
            await runner.cleanup()
        if publisher is not None:
            await publisher.stop()
        if archive is not None:
            archive.close()
