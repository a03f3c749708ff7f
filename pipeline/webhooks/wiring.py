"""Composition: a ``WebhooksConfig`` and the environment → deliveries, payload builder, dispatcher."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from pipeline.webhooks.breaker import CircuitBreaker
from pipeline.webhooks.config import WebhooksConfig, resolve_link_key, resolve_secrets
from pipeline.webhooks.delivery import EndpointDelivery, Sender
from pipeline.webhooks.dispatcher import Dispatcher
from pipeline.webhooks.evidence_links import EvidenceLinkSigner
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.payload import PayloadBuilder
from pipeline.webhooks.publisher import Publisher
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.registry import load_registry


def build_deliveries(
    config: WebhooksConfig,
    environ: Mapping[str, str],
    sender: Sender,
    metrics: WebhookMetrics,
    clock: Clock | None = None,
) -> dict[str, EndpointDelivery]:
    limit = asyncio.Semaphore(config.max_concurrency)
    return {
        endpoint.name: EndpointDelivery(
            name=endpoint.name,
            url=endpoint.url,
            secrets=resolve_secrets(endpoint, environ, f"endpoints[{i}]"),
            timeout_s=endpoint.timeout_s,
            sender=sender,
            policy=config.retry.policy(),
            breaker=CircuitBreaker(config.breaker.settings()),
            metrics=metrics,
            limit=limit,
            clock=clock,
        )
        for i, endpoint in enumerate(config.endpoints)
    }


def build_payload_builder(
    config: WebhooksConfig,
    environ: Mapping[str, str],
    base_dir: Path | None = None,
    clock: Clock | None = None,
) -> PayloadBuilder:
    buildings = {}
    if config.district is not None:
        directory = Path(config.district)
        if not directory.is_absolute() and base_dir is not None:
            directory = base_dir / directory
        buildings = dict(load_registry(directory).buildings)
    links = None
    if config.evidence is not None:
        links = EvidenceLinkSigner(
            resolve_link_key(config.evidence, environ),
            config.evidence.base_url,
            timedelta(seconds=config.evidence.ttl_s),
            clock,
        )
    return PayloadBuilder(buildings, links)


def build_dispatcher(
    config: WebhooksConfig,
    environ: Mapping[str, str],
    sender: Sender,
    publisher: Publisher,
    metrics: WebhookMetrics,
    base_dir: Path | None = None,
    clock: Clock | None = None,
) -> Dispatcher:
    clock = clock or SystemClock()
    return Dispatcher(
        kafka=config.kafka,
        endpoints=config.endpoints,
        deliveries=build_deliveries(config, environ, sender, metrics, clock),
        builder=build_payload_builder(config, environ, base_dir, clock),
        publisher=publisher,
        metrics=metrics,
        max_in_flight=config.max_in_flight,
        commit_interval_s=config.commit_interval_s,
        clock=clock,
    )
