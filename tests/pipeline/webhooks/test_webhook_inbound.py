"""The inbound updates API over real HTTP: what gets in, and what is refused without changing anything.

Requests are signed with the reference ``standardwebhooks`` library, as the case system would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import standardwebhooks
from aiohttp.test_utils import TestServer
from aiokafka import AIOKafkaConsumer
from prometheus_client import CollectorRegistry

from pipeline.webhooks.directory import InMemoryCaseDirectory
from pipeline.webhooks.errors import PublishError
from pipeline.webhooks.inbound import UpdatesHandler, create_inbound_app
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.publisher import KafkaPublisher, MemoryPublisher, Publisher
from pipeline.webhooks.replay import ReplayCache
from pipeline.webhooks.signing import Verifier, WebhookSecret
from sharpeyes.clock import SystemClock
from sharpeyes.contract import CaseStatus, decode_case_update
from tests.pipeline.webhooks.webhook_testkit import create_topic

SECRET = WebhookSecret.generate()
TOPIC = "t.sharpeyes.cases.updates"


def signed(
    body: bytes, msg_id: str, when: datetime | None = None, secret: WebhookSecret = SECRET
) -> dict[str, str]:
    when = when or datetime.now(UTC)
    signature = standardwebhooks.Webhook(secret.encoded()).sign(msg_id, when, body.decode())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def update_body(status: str = "dispatched", **extra: Any) -> bytes:
    return json.dumps({"status": status, "actor": "网格员 张三", **extra}, ensure_ascii=False).encode()


class Api:
    def __init__(self, publisher: Publisher | None = None) -> None:
        self.directory = InMemoryCaseDirectory({"case-1": CaseStatus.OPEN, "case-9": CaseStatus.CLOSED})
        self.publisher = publisher or MemoryPublisher()
        self.replay = ReplayCache(timedelta(minutes=10))
        self.registry = CollectorRegistry()
        self.handler = UpdatesHandler(
            verifier=Verifier([SECRET]),
            directory=self.directory,
            publisher=self.publisher,
            updates_topic=TOPIC,
            replay=self.replay,
            clock=SystemClock(),
            metrics=WebhookMetrics(self.registry),
        )


Scenario = Callable[[Api, aiohttp.ClientSession, str], Awaitable[None]]


def serve(api: Api, scenario: Scenario) -> None:
    async def main() -> None:
        server = TestServer(create_inbound_app(api.handler), host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                await scenario(api, session, str(server.make_url("")))
        finally:
            await server.close()

    asyncio.run(asyncio.wait_for(main(), timeout=20))


async def post(
    session: aiohttp.ClientSession, base: str, case_id: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    async with session.post(f"{base}/api/v1/cases/{case_id}/updates", data=body, headers=headers) as r:
        return r.status, await r.json()


def test_a_valid_update_is_published_as_a_case_update() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        body = update_body("dispatched", note="已派遣")
        status, doc = await post(session, base, "case-1", body, signed(body, "upd-1"))
        assert (status, doc["changed"], doc["update_id"]) == (202, True, "upd-1")
        assert isinstance(api.publisher, MemoryPublisher)
        [(topic, key, value)] = api.publisher.messages
        update = decode_case_update(value)
        assert (topic, key) == (TOPIC, b"case-1")
        assert (update.case_id, update.status, update.actor, update.note) == (
            "case-1",
            CaseStatus.DISPATCHED,
            "网格员 张三",
            "已派遣",
        )

    serve(Api(), scenario)


def test_an_update_to_the_current_status_is_ok_and_not_published() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        body = update_body("open")
        status, doc = await post(session, base, "case-1", body, signed(body, "upd-same"))
        assert (status, doc["changed"]) == (200, False)
        assert isinstance(api.publisher, MemoryPublisher) and api.publisher.messages == []

    serve(Api(), scenario)


GOOD = update_body("dispatched")


@pytest.mark.parametrize(
    ("case_id", "body", "headers", "status", "error"),
    [
        pytest.param(
            "case-1",
            GOOD,
            lambda: signed(GOOD, "u-wrong", secret=WebhookSecret.generate()),
            401,
            "bad_signature",
            id="wrong-signature",
        ),
        pytest.param(
            "case-1",
            GOOD,
            lambda: {**signed(GOOD, "u-tamper"), "webhook-id": "u-other"},
            401,
            "bad_signature",
            id="signed-for-another-id",
        ),
        pytest.param(
            "case-1",
            GOOD,
            lambda: signed(GOOD, "u-stale", when=datetime.now(UTC) - timedelta(minutes=6)),
            401,
            "stale_timestamp",
            id="stale-timestamp",
        ),
        pytest.param("case-1", GOOD, lambda: {}, 401, "missing_headers", id="unsigned"),
        pytest.param(
            "case-1", b'{"status": ', lambda: signed(b'{"status": ', "u-bad"), 400, "malformed", id="not-json"
        ),
        pytest.param(
            "case-1", b"[1,2]", lambda: signed(b"[1,2]", "u-arr"), 400, "malformed", id="not-an-object"
        ),
        pytest.param(
            "case-1",
            update_body("flying"),
            lambda: signed(update_body("flying"), "u-enum"),
            400,
            "malformed",
            id="unknown-status",
        ),
        pytest.param(
            "case-1",
            update_body(case_id="case-2"),
            lambda: signed(update_body(case_id="case-2"), "u-mismatch"),
            400,
            "malformed",
            id="case-id-mismatch",
        ),
        pytest.param("case-404", GOOD, lambda: signed(GOOD, "u-404"), 404, "unknown_case", id="unknown-case"),
        pytest.param(
            "case-1",
            update_body("closed"),
            lambda: signed(update_body("closed"), "u-skip"),
            422,
            "invalid_transition",
            id="open-to-closed",
        ),
        pytest.param(
            "case-9", GOOD, lambda: signed(GOOD, "u-term"), 422, "invalid_transition", id="closed-is-final"
        ),
    ],
)
def test_refusals_have_their_status_and_change_nothing(
    case_id: str, body: bytes, headers: Callable[[], dict[str, str]], status: int, error: str
) -> None:
    """Headers are signed when the test runs: signing at collection went stale in a long suite."""

    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        before = dict(api.directory.statuses)
        got, doc = await post(session, base, case_id, body, headers())
        assert (got, doc["error"]) == (status, error)
        assert doc["detail"]
        assert isinstance(api.publisher, MemoryPublisher) and api.publisher.messages == []
        assert api.directory.statuses == before
        assert len(api.replay) == 0  # a refused message does not use up its webhook-id
        sample = api.registry.get_sample_value(
            "sharpeyes_case_updates_inbound_total", {"status": str(status), "reason": error}
        )
        assert sample == 1.0

    serve(Api(), scenario)


def test_oversized_body_is_refused_before_verification() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        body = update_body(note="x" * 70_000)
        status, doc = await post(session, base, "case-1", body, signed(body, "u-big"))
        assert (status, doc["error"]) == (400, "malformed")

    serve(Api(), scenario)


def test_malformed_field_is_named() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        body = json.dumps({"status": "dispatched"}).encode()
        status, doc = await post(session, base, "case-1", body, signed(body, "u-noactor"))
        assert (status, doc["field"]) == (400, "actor")

    serve(Api(), scenario)


def test_replay_is_409_and_publishes_nothing_more() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        headers = signed(GOOD, "u-once")
        assert (await post(session, base, "case-1", GOOD, headers))[0] == 202
        status, doc = await post(session, base, "case-1", GOOD, headers)
        assert (status, doc["error"]) == (409, "replay")
        assert isinstance(api.publisher, MemoryPublisher) and len(api.publisher.messages) == 1

    serve(Api(), scenario)


class DownPublisher:
    def __init__(self) -> None:
        self.calls = 0

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self.calls += 1
        raise PublishError("broker unreachable")


def test_kafka_down_is_503_and_the_same_message_can_be_sent_again() -> None:
    async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
        headers = signed(GOOD, "u-retry")
        status, doc = await post(session, base, "case-1", GOOD, headers)
        assert (status, doc["error"]) == (503, "unavailable")
        api.handler._publisher = MemoryPublisher()  # the broker is back
        assert (await post(session, base, "case-1", GOOD, headers))[0] == 202

    serve(Api(DownPublisher()), scenario)


@pytest.mark.kafka
def test_accepted_update_reaches_the_updates_topic(kafka_bootstrap: str, topic_prefix: str) -> None:
    topic = f"{topic_prefix}.cases.updates"

    async def main() -> None:
        await create_topic(kafka_bootstrap, topic, 1)
        publisher = KafkaPublisher(kafka_bootstrap)
        await publisher.start()
        api = Api(publisher)
        api.handler._topic = topic
        try:

            async def scenario(api: Api, session: aiohttp.ClientSession, base: str) -> None:
                assert (await post(session, base, "case-1", GOOD, signed(GOOD, "u-kafka")))[0] == 202

            server = TestServer(create_inbound_app(api.handler), host="127.0.0.1")
            await server.start_server()
            async with aiohttp.ClientSession() as session:
                await scenario(api, session, str(server.make_url("")))
            await server.close()
        finally:
            await publisher.stop()
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            batch = await consumer.getmany(timeout_ms=5000)
        finally:
            await consumer.stop()
        [record] = [r for records in batch.values() for r in records]
        assert record.key == b"case-1"
        assert decode_case_update(record.value).update_id == "u-kafka"

    asyncio.run(asyncio.wait_for(main(), timeout=30))
