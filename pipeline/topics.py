"""Topic names (DESIGN.md, contract — topics) and creating or checking them on the broker."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sharpeyes.errors import SharpEyesError
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


class TopicMismatch(SharpEyesError):
    """A topic exists with fewer partitions than the config says: tables would be mis-partitioned."""


@dataclass(frozen=True)
class Topics:
    prefix: str

    @property
    def alerts_raw(self) -> str:  # key: camera or device id
        return f"{self.prefix}.alerts.raw"

    @property
    def iot_events(self) -> str:  # key: device id
        return f"{self.prefix}.iot.events"

    @property
    def cases(self) -> str:  # key: case id
        return f"{self.prefix}.cases"

    @property
    def case_updates(self) -> str:  # key: case id
        return f"{self.prefix}.cases.updates"

    @property
    def edge_health(self) -> str:  # key: camera id
        return f"{self.prefix}.edge.health"

    @property
    def deadletter(self) -> str:  # key: as the original message
        return f"{self.prefix}.deadletter"

    @property
    def commands(self) -> str:
        """Internal: enriched alerts, updates and SLA ticks keyed by routing key (grid|building)."""
        return f"{self.prefix}.cases.commands"

    def co_partitioned(self) -> list[str]:
        """Topics whose partition counts must agree (the workers' inputs)."""
        return [self.alerts_raw, self.iot_events, self.case_updates, self.commands]

    def all(self) -> list[str]:
        return [*self.co_partitioned(), self.cases, self.edge_health, self.deadletter]


def ensure_topics(bootstrap: str, topics: Topics, partitions: int, replication: int) -> list[str]:
    """Create missing topics; refuse when an input topic has a different partition count. Returns created."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=bootstrap, client_id="sharpeyes-topics", request_timeout_ms=20_000
    )
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(t, partitions, replication) for t in topics.all() if t not in existing]
        created = []
        if wanted:
            try:
                admin.create_topics(wanted, timeout_ms=20_000)
            except TopicAlreadyExistsError:
                pass  # another worker won the race
            created = [t.name for t in wanted]
            log.info("topics created", extra=fields(topics=",".join(created), partitions=partitions))
        described = admin.describe_topics(topics.co_partitioned())
        for topic in described:
            count = len(topic.get("partitions", []))
            if count and count != partitions:
                raise TopicMismatch(
                    f"topic {topic['topic']} has {count} partitions, the config says {partitions}: "
                    "inputs must be co-partitioned"
                )
        return created
    finally:
        admin.close()
