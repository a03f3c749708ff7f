"""Where operator actions go: the same update entry point as the case system's updates.

``UpdateSink`` takes a ``CaseUpdate`` and returns once it is recorded (embedded: decided and
committed; Faust: acknowledged by Kafka on ``<prefix>.cases.updates``, key = case id).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from pipeline.embedded.runner import EmbeddedPipeline
from pipeline.webhooks.publisher import Publisher
from sharpeyes.contract import CaseUpdate

UpdateSink = Callable[[CaseUpdate], Awaitable[None] | None]


async def deliver(sink: UpdateSink, update: CaseUpdate) -> None:
    result = sink(update)
    if inspect.isawaitable(result):
        await result


def embedded_sink(runner: EmbeddedPipeline) -> UpdateSink:
    def submit(update: CaseUpdate) -> None:
        runner.submit_update(update.to_bytes(), source="console")

    return submit


def kafka_sink(publisher: Publisher, updates_topic: str) -> UpdateSink:
    async def publish(update: CaseUpdate) -> None:
        await publisher.publish(updates_topic, update.case_id.encode(), update.to_bytes())

    return publish
