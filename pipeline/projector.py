"""Keep the case projection (SQLite) up to date from ``<prefix>.cases`` in a Faust deployment.

Case events carry full snapshots and unique ids, so applying them is idempotent: the consumer commits
after each batch is in SQLite, and a redelivered event is recognised by its id. The console and the
inbound updates API read the projection (``CaseProjection`` is their ``CaseDirectory``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pipeline.projection import CaseProjection
from pipeline.topic_follower import TopicFollower
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
        self._follower = TopicFollower(self.apply_batch, bootstrap, topic, group_id, consumer_kwargs)

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
        await self._follower.run(stop)
