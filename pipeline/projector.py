"""Keep the case projection (SQLite) up to date from ``<prefix>.cases`` in a Faust deployment.

Case events carry full snapshots and unique ids, so applying them is idempotent: the consumer commits
after each batch is in SQLite, and a redelivered event is recognised by its id. The console and the
inbound updates API read the projection (``CaseProjection`` is their ``CaseDirectory``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from pipeline.projection import CaseProjection
from sharpeyes.contract import decode_case_event
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


@dataclass
class ProjectorStats:
    applied: int = 0
    repeats: int = 0
    invalid: int = 0


class Projector:
    def __init__(
        self,
        projection: CaseProjection,
        bootstrap: str,
        topic: str,
        group_id: str,
        consumer_kwargs: dict[str, object] | None = None,
    ) -> None:
        self.projection = projection
        self.stats = ProjectorStats()
        self._consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            **(consumer_kwargs or {}),
        )

    def apply_batch(self, values: list[bytes]) -> None:
        with self.projection.transaction():
            for value in values:
                try:
                    event = decode_case_event(value)
                except ContractError as exc:
                    self.stats.invalid += 1
                    log.warning("case event not projected", extra=fields(problem=str(exc)))
                    continue
                if self.projection.apply(event):
                    self.stats.applied += 1
                else:
                    self.stats.repeats += 1

    async def run(self, stop: asyncio.Event) -> None:
        await self._consumer.start()
        try:
            while not stop.is_set():
                batch = await self._consumer.getmany(timeout_ms=500, max_records=500)
                values = [r.value for records in batch.values() for r in records if r.value is not None]
                if values:
                    await asyncio.to_thread(self.apply_batch, values)
                    await self._consumer.commit()
        finally:
            await self._consumer.stop()
