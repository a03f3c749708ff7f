"""Follow one topic in batches: apply each batch off the event loop, commit only after it is applied.

The projector and the evidence archive both keep a local copy of a topic; what they apply is
idempotent (case events and alerts carry unique ids), so at-least-once with a commit after each
applied batch is exactly enough.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer


class TopicFollower:
    def __init__(
        self,
        apply: Callable[[list[bytes]], object],
        bootstrap: str,
        topic: str,
        group_id: str,
        consumer_kwargs: dict[str, object] | None = None,
    ) -> None:
        self._apply = apply
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **(consumer_kwargs or {}),
        )

    async def run(self, stop: asyncio.Event) -> None:
        await self._consumer.start()
        try:
            while not stop.is_set():
                batch = await self._consumer.getmany(timeout_ms=500, max_records=500)
                values = [r.value for records in batch.values() for r in records if r.value is not None]
                if values:
                    await asyncio.to_thread(self._apply, values)
                    await self._consumer.commit()
        finally:
            await self._consumer.stop()
