"""The dispatcher against real Kafka and a real HTTP receiver that is sick, then gone, then back.

Must show (issue 4, item 2): every case event is delivered, each webhook-id is accepted once, in
per-case order, the retry metric counts the failed attempts, and a dispatcher restarted in the middle
loses nothing (it may deliver a repeat, which the receiver drops by webhook-id).
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from pipeline.webhooks.config import WebhooksConfig
from pipeline.webhooks.delivery import HttpSender
from pipeline.webhooks.dispatcher import Dispatcher
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.publisher import KafkaPublisher
from pipeline.webhooks.signing import WebhookSecret
from pipeline.webhooks.wiring import build_dispatcher
from sharpeyes.contract import CaseEvent, CaseEventType
from tests.pipeline.webhooks.webhook_testkit import (
    EventFactory,
    Receiver,
    create_topic,
    produce_events,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(90)]

CASES = 8
PER_CASE = 10
PARTITIONS = 3


def fault_config(bootstrap: str, prefix: str, url: str, secret: str) -> WebhooksConfig:
    return WebhooksConfig.model_validate(
        {
            "kafka": {
                "bootstrap_servers": bootstrap,
                "topic_prefix": prefix,
                "group_id": f"{prefix}-dispatch",
            },
            "endpoints": [{"name": "city", "url": url, "secrets": [secret], "timeout_s": 2.0}],
            "retry": {
                "initial_backoff_s": 0.05,
                "max_backoff_s": 0.4,
                "jitter": 0.5,
                "max_attempts": 500,
                "max_age_s": 60,
            },
            "breaker": {"failure_threshold": 3, "open_s": 0.3, "probe_poll_s": 0.05},
            "commit_interval_s": 0.1,
        }
    )


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


def events_for(factory: EventFactory, seqs: range) -> list[CaseEvent]:
    """Interleaved across cases, as a case processor would write them."""
    kinds = [CaseEventType.OPENED] + [CaseEventType.ALERT_ATTACHED] * (PER_CASE * 2)
    return [factory(f"case-{c:03d}", s, type=kinds[s]) for s in seqs for c in range(CASES)]


async def committed_offsets(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        out = {}
        for p in range(PARTITIONS):
            out[p] = await consumer.committed(TopicPartition(topic, p)) or 0
        return out
    finally:
        await consumer.stop()


async def run_fault_scenario(bootstrap: str, prefix: str, factory: EventFactory) -> dict[str, Any]:
    secret = WebhookSecret.generate().encoded()
    receiver = Receiver(secret=secret, status=503)
    config = fault_config(bootstrap, prefix, receiver.url, secret)
    topic = config.kafka.cases_topic
    await create_topic(bootstrap, topic, PARTITIONS)
    first_batch = events_for(factory, range(PER_CASE // 2))
    second_batch = events_for(factory, range(PER_CASE // 2, PER_CASE))
    await produce_events(bootstrap, topic, first_batch)

    registry = CollectorRegistry()
    metrics = WebhookMetrics(registry)
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    await receiver.start()
    timeline: dict[str, Any] = {}
    async with aiohttp.ClientSession() as session:

        def new_dispatcher() -> Dispatcher:
            return build_dispatcher(config, {}, HttpSender(session), publisher, metrics)

        def attempts(result: str) -> float:
            return sample(registry, "sharpeyes_webhook_attempts_total", endpoint="city", result=result)

        first, stop_first = new_dispatcher(), asyncio.Event()
        task = asyncio.create_task(first.run(stop_first))
        try:
            # 1. sick: every verified request answered 503 (with Retry-After: 0)
            await wait_until(lambda: receiver.answered[503] >= 15, 20, "fifteen 503 answers")
            # 2. gone: connection refused
            await receiver.stop()
            refused_before = attempts("connection_error")
            await wait_until(
                lambda: attempts("connection_error") >= refused_before + 3, 10, "refused attempts"
            )
            timeline["breaker_while_down"] = sample(
                registry, "sharpeyes_webhook_breaker_state", endpoint="city"
            )
            await asyncio.sleep(0.5)
            # 3. back, slowly enough that a restart lands in the middle
            receiver.status, receiver.delay_s = 200, 0.03
            await receiver.start()
            await wait_until(lambda: len(receiver.accepted) >= len(first_batch) // 2, 20, "half delivered")
            # 4. restart: cancel in the middle, in-flight work is not committed
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            timeline["accepted_at_restart"] = len(receiver.accepted)
            timeline["committed_at_restart"] = await committed_offsets(
                bootstrap, config.kafka.group_id, topic
            )
            second, stop_second = new_dispatcher(), asyncio.Event()
            task = asyncio.create_task(second.run(stop_second))
            await produce_events(bootstrap, topic, second_batch)
            total = len(first_batch) + len(second_batch)
            await wait_until(lambda: len(receiver.accepted) >= total, 30, "every event delivered")
            await wait_until(lambda: second.tracker.in_flight == 0, 5, "no work left in flight")
            stop_second.set()
            await asyncio.wait_for(task, timeout=10)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await receiver.stop()
            await publisher.stop()
    timeline["committed_at_end"] = await committed_offsets(bootstrap, config.kafka.group_id, topic)
    timeline["receiver"] = receiver
    timeline["registry"] = registry
    timeline["events"] = first_batch + second_batch
    timeline["second_read"] = second.stats.read
    return timeline


def test_sick_then_dead_then_back_receiver_gets_everything_once_in_order_across_a_restart(
    kafka_bootstrap: str, topic_prefix: str, case_event: EventFactory
) -> None:
    scenario = run_fault_scenario(kafka_bootstrap, topic_prefix, case_event)
    result = asyncio.run(asyncio.wait_for(scenario, timeout=60))
    receiver: Receiver = result["receiver"]
    registry: CollectorRegistry = result["registry"]
    events: list[CaseEvent] = result["events"]

    # every event delivered, each webhook-id accepted once (repeats after the restart are dropped)
    assert sorted(receiver.accepted) == sorted(e.event_id for e in events)
    assert len(set(receiver.accepted)) == len(receiver.accepted)
    assert receiver.bad_signatures == 0
    # per-case order of first acceptance
    assert receiver.order_by_case() == {f"case-{c:03d}": list(range(PER_CASE)) for c in range(CASES)}

    # the retry metric shows the attempts: every 503 the receiver sent, and the refused connections
    def attempts(result: str) -> float:
        return sample(registry, "sharpeyes_webhook_attempts_total", endpoint="city", result=result)

    assert attempts("5xx") == receiver.answered[503] >= 15
    assert attempts("connection_error") >= 3
    assert receiver.answered[200] == len(events) + sum(receiver.repeats.values())
    # answers to requests in flight when the first dispatcher was cancelled were never counted by it
    assert len(events) <= attempts("2xx") <= receiver.answered[200]
    assert receiver.answered[200] - attempts("2xx") <= CASES
    assert sample(registry, "sharpeyes_webhook_dead_letters_total", endpoint="city", reason="exhausted") == 0
    assert sample(
        registry, "sharpeyes_webhook_deliveries_total", endpoint="city", outcome="delivered"
    ) >= len(events)
    # the breaker opened while the receiver was down, and is closed at the end
    assert result["breaker_while_down"] in (1, 2)
    assert sample(registry, "sharpeyes_webhook_breaker_state", endpoint="city") == 0
    # the restart really happened in the middle: some but not all offsets were committed by then
    at_restart = sum(result["committed_at_restart"].values())
    assert 0 < result["accepted_at_restart"] < len(events)
    assert at_restart < len(events)
    # the second dispatcher re-read exactly from the committed offsets, then everything was committed
    assert result["second_read"] == len(events) - at_restart
    assert sum(result["committed_at_end"].values()) == len(events)
    print(
        f"\nfault test: {len(events)} events, 503s={receiver.answered[503]}, "
        f"refused={attempts('connection_error'):.0f}, accepted at restart={result['accepted_at_restart']}, "
        f"committed at restart={at_restart}, repeats after restart={sum(receiver.repeats.values())}"
    )
