"""Dead letters: what lands on ``<prefix>.webhooks.deadletter``, that offsets move past them, and that
``sharpeyes webhooks redrive`` (the real command, in a subprocess) delivers them once the receiver is fixed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from pipeline.webhooks.config import WebhooksConfig
from pipeline.webhooks.deadletter import DeadReason, WebhookDeadLetter, decode_webhook_dead_letter
from pipeline.webhooks.delivery import HttpSender
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.publisher import KafkaPublisher
from pipeline.webhooks.signing import WebhookSecret
from pipeline.webhooks.wiring import build_dispatcher
from sharpeyes.contract import CaseEventType
from tests.pipeline.webhooks.webhook_testkit import (
    EventFactory,
    Receiver,
    create_topic,
    produce_events,
    wait_until,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(120)]

REPO = Path(__file__).resolve().parents[3]


def config_doc(bootstrap: str, prefix: str, url: str) -> dict[str, Any]:
    return {
        "kafka": {"bootstrap_servers": bootstrap, "topic_prefix": prefix, "group_id": f"{prefix}-wh"},
        "endpoints": [{"name": "city", "url": url, "secret_env": ["CITY_WEBHOOK_SECRET"], "timeout_s": 2}],
        "retry": {"initial_backoff_s": 0.02, "max_backoff_s": 0.05, "max_attempts": 3, "max_age_s": 30},
        "breaker": {"failure_threshold": 100, "open_s": 1},
        "commit_interval_s": 0.1,
    }


async def read_all(bootstrap: str, topic: str, expected: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    out: list[bytes] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while len(out) < expected and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=300)
            out += [r.value for records in batch.values() for r in records]
        await asyncio.sleep(0.3)  # and nothing more
        batch = await consumer.getmany(timeout_ms=300)
        out += [r.value for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    return out


async def redrive_cli(config_file: Path, env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sharpeyes.cli",
        "webhooks",
        "redrive",
        "--config",
        str(config_file),
        *args,
        cwd=REPO,
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def scenario(bootstrap: str, prefix: str, factory: EventFactory, tmp: Path) -> dict[str, Any]:
    secret = WebhookSecret.generate().encoded()
    env = {"CITY_WEBHOOK_SECRET": secret}
    receiver = Receiver(secret=secret, status=503, reject_case={"case-002"})
    doc = config_doc(bootstrap, prefix, receiver.url)
    config = WebhooksConfig.model_validate(doc)
    config_file = tmp / "webhooks.yaml"
    config_file.write_text(yaml.safe_dump(doc), encoding="utf-8")
    await create_topic(bootstrap, config.kafka.cases_topic, 2)
    events = [
        factory(f"case-{c:03d}", s, type=CaseEventType.OPENED if s == 0 else CaseEventType.ALERT_ATTACHED)
        for c in range(1, 4)
        for s in range(2)
    ]
    await produce_events(bootstrap, config.kafka.cases_topic, events)
    registry = CollectorRegistry()
    publisher = KafkaPublisher(bootstrap)
    await publisher.start()
    await receiver.start()
    out: dict[str, Any] = {"events": events, "receiver": receiver, "registry": registry}
    try:
        async with aiohttp.ClientSession() as session:
            dispatcher = build_dispatcher(
                config, env, HttpSender(session), publisher, WebhookMetrics(registry)
            )
            stop = asyncio.Event()
            task = asyncio.create_task(dispatcher.run(stop))
            await wait_until(lambda: dispatcher.stats.dead_lettered == len(events), 20, "all dead-lettered")
            await wait_until(lambda: dispatcher.stats.committed >= 1, 5, "a commit")
            stop.set()
            await asyncio.wait_for(task, timeout=10)
        out["letters"] = [
            decode_webhook_dead_letter(v) for v in await read_all(bootstrap, config.kafka.deadletter_topic, 6)
        ]
        probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=config.kafka.group_id)
        await probe.start()
        out["committed"] = [
            await probe.committed(TopicPartition(config.kafka.cases_topic, p)) or 0 for p in range(2)
        ]
        await probe.stop()
        # the receiver is fixed; the operator re-drives four, then the rest, then finds nothing left
        receiver.status, receiver.reject_case = 200, set()
        out["cli"] = [
            await redrive_cli(config_file, env, "--limit", "4"),
            await redrive_cli(config_file, env),
            await redrive_cli(config_file, env),
        ]
    finally:
        await receiver.stop()
        await publisher.stop()
    return out


def test_dead_letters_carry_the_event_and_error_and_redrive_delivers_them(
    kafka_bootstrap: str, topic_prefix: str, case_event: EventFactory, tmp_path: Path
) -> None:
    result = asyncio.run(asyncio.wait_for(scenario(kafka_bootstrap, topic_prefix, case_event, tmp_path), 100))
    events = result["events"]
    letters: list[WebhookDeadLetter] = result["letters"]
    by_id = {str(letter.event_id): letter for letter in letters}
    assert sorted(by_id) == sorted(e.event_id for e in events) and len(letters) == len(events)
    for event in events:
        letter = by_id[event.event_id]
        assert letter.endpoint == "city" and letter.case_id == event.case_id
        assert letter.event == event.model_dump(mode="json", by_alias=True, exclude_none=True)
        if event.case_id == "case-002":  # a 400 is not retried
            assert (letter.reason, letter.attempts, letter.last_error) == (DeadReason.REJECTED, 1, "HTTP 400")
        else:
            assert (letter.reason, letter.attempts) == (DeadReason.EXHAUSTED, 3)
            assert letter.last_error == "HTTP 503" and "3 attempts" in letter.detail
    # offsets moved past the dead-lettered events: a restart would not send them again
    assert sum(result["committed"]) == len(events)
    registry: CollectorRegistry = result["registry"]
    assert (
        registry.get_sample_value(
            "sharpeyes_webhook_dead_letters_total", {"endpoint": "city", "reason": "exhausted"}
        )
        == 4
    )
    assert result["cli"] == [
        "read 4: delivered 4, republished 0, dead again 0, skipped 0",
        "read 2: delivered 2, republished 0, dead again 0, skipped 0",
        "read 0: delivered 0, republished 0, dead again 0, skipped 0",
    ]
    receiver: Receiver = result["receiver"]
    assert sorted(receiver.accepted) == sorted(e.event_id for e in events)
