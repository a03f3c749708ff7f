"""Topic names (DESIGN.md, contract — topics) and creating or checking them on the broker.

What each topic should look like (``topic_specs``) and what is wrong with one that exists
(``problems``) are pure; ``ensure_topics`` and ``check_topics`` only talk to the admin API.
Event topics are ``cleanup.policy=delete`` with a retention per kind; state is compacted: the
Faust table changelogs (``<app_id>-<table>-changelog``, created by Faust itself, compacted) are
checked here, never created, so Faust's own settings for windowed tables stay in charge.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sharpeyes.errors import SharpEyesError
from sharpeyes.kafka_probe import probe_access
from sharpeyes.logs import fields

if TYPE_CHECKING:
    from pipeline.config import KafkaConfig

log = logging.getLogger(__name__)


class TopicMismatch(SharpEyesError):
    """A topic exists with fewer partitions than the config says: tables would be mis-partitioned."""


class TopicCheckFailed(SharpEyesError):
    """Topics are missing or configured unlike the pipeline config (one line per problem)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


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


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int
    configs: Mapping[str, str] = field(default_factory=dict)
    exact_partitions: bool = False  # co-partitioned inputs: more partitions is as wrong as fewer


def topic_specs(kafka: KafkaConfig) -> list[TopicSpec]:
    """Every topic the pipeline owns, with the broker configs the pipeline config asks for."""
    topics = Topics(kafka.topic_prefix)
    retention = kafka.retention
    common = {"cleanup.policy": "delete"}
    if retention.min_insync_replicas is not None:
        common["min.insync.replicas"] = str(retention.min_insync_replicas)
    kept_ms = {
        topics.cases: retention.cases_ms,
        topics.deadletter: retention.deadletter_ms,
    }
    co_partitioned = set(topics.co_partitioned())
    return [
        TopicSpec(
            name=name,
            partitions=kafka.partitions,
            replication=kafka.replication_factor,
            configs={**common, "retention.ms": str(kept_ms.get(name, retention.events_ms))},
            exact_partitions=name in co_partitioned,
        )
        for name in topics.all()
    ]


def is_changelog(name: str, app_id: str) -> bool:
    return name.startswith(f"{app_id}-") and name.endswith("-changelog")


def problems(
    spec: TopicSpec, partitions: int, replication: int, configs: Mapping[str, str | None]
) -> list[str]:
    """What differs between a topic on the broker and its spec (empty: it is as configured)."""
    found = []
    if partitions != spec.partitions and (spec.exact_partitions or partitions < spec.partitions):
        found.append(f"{spec.name}: {partitions} partitions, the config says {spec.partitions}")
    if replication < spec.replication:
        found.append(f"{spec.name}: replication factor {replication}, the config says {spec.replication}")
    for key, wanted in spec.configs.items():
        if configs.get(key) != wanted:
            found.append(f"{spec.name}: {key}={configs.get(key)}, the config says {wanted}")
    return found


def changelog_problems(name: str, configs: Mapping[str, str | None]) -> list[str]:
    policy = configs.get("cleanup.policy") or ""
    if "compact" not in policy.split(","):
        return [f"{name}: cleanup.policy={policy or None}, a changelog must be compacted"]
    return []


def _admin(kafka: KafkaConfig) -> Any:
    from kafka.admin import KafkaAdminClient

    # a wrong password or CA fails here in seconds, naming the cause, instead of a 30 s bootstrap timeout
    probe_access(kafka.bootstrap, kafka.security)
    return KafkaAdminClient(
        bootstrap_servers=kafka.bootstrap,
        client_id="sharpeyes-topics",
        request_timeout_ms=20_000,
        **kafka.security.kafka_python_kwargs(),
    )


def _describe(admin: Any, names: Iterable[str]) -> dict[str, tuple[int, int, dict[str, str | None]]]:
    """name → (partitions, replication factor, {config: value}) for the topics that exist."""
    from kafka.admin import ConfigResource, ConfigResourceType

    names = list(names)
    if not names:
        return {}
    shapes = {}
    for topic in admin.describe_topics(names):
        parts = topic.get("partitions") or []
        name = topic.get("name") or topic.get("topic")  # kafka-python 3.x | 2.x
        if topic.get("error_code", 0) == 0 and parts:
            replicas = min(len(p.get("replica_nodes", p.get("replicas", []))) for p in parts)
            shapes[name] = (len(parts), replicas)
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in shapes]
    configs = _config_values(admin.describe_configs(resources)) if resources else {}
    return {name: (*shape, configs.get(name, {})) for name, shape in shapes.items()}


def _config_values(response: Any) -> dict[str, dict[str, str | None]]:
    """topic → {config: value} from DescribeConfigs, as kafka-python 3.x (a dict) or 2.x returns it."""
    if isinstance(response, dict):
        return {
            name: {key: entry.get("value") for key, entry in entries.items()}
            for name, entries in response.get("topic", {}).items()
        }
    out: dict[str, dict[str, str | None]] = {}
    for item in response:  # 2.x: DescribeConfigsResponse objects
        for res in item.resources:  # (error_code, error_message, type, name, [(key, value, ...)])
            out[res[3]] = {entry[0]: entry[1] for entry in res[4]}
    return out


def ensure_topics(kafka: KafkaConfig) -> list[str]:
    """Create missing topics with their retention; refuse when an input topic has a different
    partition count (tables would be mis-partitioned). Returns the names created."""
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    specs = topic_specs(kafka)
    admin = _admin(kafka)
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(s.name, s.partitions, s.replication, topic_configs=dict(s.configs))
            for s in specs
            if s.name not in existing
        ]
        created = []
        if wanted:
            try:
                admin.create_topics(wanted, timeout_ms=20_000)
            except TopicAlreadyExistsError:
                pass  # another worker won the race
            created = [t.name for t in wanted]
            log.info("topics created", extra=fields(topics=",".join(created), partitions=kafka.partitions))
        shapes = _describe(admin, [s.name for s in specs if s.exact_partitions])
        for spec in specs:
            if spec.name in shapes and shapes[spec.name][0] != spec.partitions:
                raise TopicMismatch(
                    f"topic {spec.name} has {shapes[spec.name][0]} partitions, the config says "
                    f"{spec.partitions}: inputs must be co-partitioned"
                )
        return created
    finally:
        admin.close()


def check_topics(kafka: KafkaConfig, app_id: str) -> list[str]:
    """Compare every topic on the broker with the config; raise ``TopicCheckFailed`` listing all
    problems. Returns the names checked (the pipeline's topics, then the app's changelogs)."""
    specs = topic_specs(kafka)
    admin = _admin(kafka)
    try:
        existing = set(admin.list_topics())
        changelogs = sorted(t for t in existing if is_changelog(t, app_id))
        shapes = _describe(admin, [*(s.name for s in specs if s.name in existing), *changelogs])
    finally:
        admin.close()
    found = [f"{s.name}: missing" for s in specs if s.name not in shapes]
    for spec in specs:
        if spec.name in shapes:
            found += problems(spec, *shapes[spec.name])
    for name in changelogs:
        if name in shapes:
            found += changelog_problems(name, shapes[name][2])
    if found:
        raise TopicCheckFailed(found)
    return [*(s.name for s in specs), *changelogs]
