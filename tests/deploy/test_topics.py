"""Topic specs (retention per kind, compaction for state) and ``check_topics`` against the broker."""

from __future__ import annotations

import time

import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from pipeline.config import KafkaConfig, TopicRetention
from pipeline.topics import (
    TopicCheckFailed,
    Topics,
    TopicSpec,
    changelog_problems,
    check_topics,
    ensure_topics,
    is_changelog,
    problems,
    topic_specs,
)

DAY_MS = 86_400_000


def test_specs_follow_the_config() -> None:
    kafka = KafkaConfig(
        topic_prefix="city",
        partitions=8,
        replication_factor=3,
        retention=TopicRetention(
            events_ms=DAY_MS, cases_ms=-1, deadletter_ms=2 * DAY_MS, min_insync_replicas=2
        ),
    )
    specs = {s.name: s for s in topic_specs(kafka)}
    assert set(specs) == set(Topics("city").all())
    assert specs["city.alerts.raw"].configs == {
        "cleanup.policy": "delete",
        "retention.ms": str(DAY_MS),
        "min.insync.replicas": "2",
    }
    assert specs["city.cases"].configs["retention.ms"] == "-1"
    assert specs["city.deadletter"].configs["retention.ms"] == str(2 * DAY_MS)
    assert {n for n, s in specs.items() if s.exact_partitions} == set(Topics("city").co_partitioned())
    assert {(s.partitions, s.replication) for s in specs.values()} == {(8, 3)}


SPEC = TopicSpec("t", 4, 3, {"cleanup.policy": "delete", "retention.ms": "100"}, exact_partitions=True)


@pytest.mark.parametrize(
    ("spec", "partitions", "replication", "configs", "expected"),
    [
        pytest.param(SPEC, 4, 3, {"cleanup.policy": "delete", "retention.ms": "100"}, [], id="as-configured"),
        pytest.param(
            SPEC,
            8,
            3,
            {"cleanup.policy": "delete", "retention.ms": "100"},
            ["t: 8 partitions"],
            id="co-part-more",
        ),
        pytest.param(TopicSpec("t", 4, 1, {}), 8, 1, {}, [], id="more-partitions-fine-for-outputs"),
        pytest.param(TopicSpec("t", 4, 1, {}), 2, 1, {}, ["t: 2 partitions"], id="fewer-partitions"),
        pytest.param(
            SPEC,
            4,
            1,
            {"cleanup.policy": "delete", "retention.ms": "100"},
            ["replication factor 1"],
            id="under-rf",
        ),
        pytest.param(SPEC, 4, 3, {"cleanup.policy": "delete"}, ["retention.ms=None"], id="default-retention"),
        pytest.param(
            SPEC,
            4,
            3,
            {"cleanup.policy": "compact", "retention.ms": "100"},
            ["cleanup.policy=compact"],
            id="policy",
        ),
    ],
)
def test_problems(
    spec: TopicSpec, partitions: int, replication: int, configs: dict[str, str], expected: list[str]
) -> None:
    found = problems(spec, partitions, replication, configs)
    assert len(found) == len(expected)
    for fragment, line in zip(expected, found, strict=True):
        assert fragment in line


@pytest.mark.parametrize(
    ("policy", "ok"),
    [
        pytest.param("compact", True, id="compact"),
        pytest.param("compact,delete", True, id="windowed"),
        pytest.param("delete", False, id="delete"),
        pytest.param(None, False, id="default"),
    ],
)
def test_changelogs_must_be_compacted(policy: str | None, ok: bool) -> None:
    assert (changelog_problems("app-case-keys-changelog", {"cleanup.policy": policy}) == []) is ok


def test_is_changelog() -> None:
    assert is_changelog("sharpeyes-pipeline-case-keys-changelog", "sharpeyes-pipeline")
    assert not is_changelog("sharpeyes.cases", "sharpeyes-pipeline")
    assert not is_changelog("other-app-case-keys-changelog", "sharpeyes-pipeline")


@pytest.mark.kafka
def test_create_then_check_on_the_broker(kafka_bootstrap: str, topic_prefix: str) -> None:
    kafka = KafkaConfig(
        bootstrap=kafka_bootstrap,
        topic_prefix=topic_prefix,
        partitions=2,
        retention=TopicRetention(events_ms=3 * DAY_MS, deadletter_ms=9 * DAY_MS),
    )
    app_id = f"{topic_prefix}-app"
    with pytest.raises(TopicCheckFailed) as before:
        check_topics(kafka, app_id)
    assert len(before.value.problems) == len(Topics(topic_prefix).all())
    assert all(p.endswith(": missing") for p in before.value.problems)

    assert sorted(ensure_topics(kafka)) == sorted(Topics(topic_prefix).all())
    assert ensure_topics(kafka) == []  # idempotent
    assert len(check_topics(kafka, app_id)) == len(Topics(topic_prefix).all())

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:  # a changelog Faust did not create (wrong policy) and drift in retention are both reported
        admin.create_topics(
            [NewTopic(f"{app_id}-case-keys-changelog", 2, 1, topic_configs={"cleanup.policy": "delete"})]
        )
        # a new topic reaches the metadata a moment later; on a loaded machine the check can be faster
        deadline = time.monotonic() + 20
        while f"{app_id}-case-keys-changelog" not in admin.list_topics() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        admin.close()
    drifted = kafka.model_copy(
        update={"retention": TopicRetention(events_ms=DAY_MS, deadletter_ms=9 * DAY_MS)}
    )
    with pytest.raises(TopicCheckFailed) as after:
        check_topics(drifted, app_id)
    found = after.value.problems
    assert f"{app_id}-case-keys-changelog: cleanup.policy=delete, a changelog must be compacted" in found
    assert f"{topic_prefix}.alerts.raw: retention.ms={3 * DAY_MS}, the config says {DAY_MS}" in found
    assert not any(".deadletter" in p for p in found)
