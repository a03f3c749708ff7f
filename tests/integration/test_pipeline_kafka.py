"""Issue 3's acceptance, against the real broker and real worker processes."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.topics import Topics
from sharpeyes.contract import CaseEventType, EscalationLevel
from sharpeyes.registry import SiteRegistry, load_registry
from tests.integration.pipeline_worker import (
    CaseOutcome,
    Worker,
    all_decided,
    dead_letters,
    produce,
    read_all,
    wait_group_settled,
    write_config,
)
from tests.integration.scenario import Scenario, build, expected_grouping

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture(scope="module")
def registry(demo_district: Path) -> SiteRegistry:
    return load_registry(demo_district)


@pytest.fixture(scope="module")
def scenario(registry: SiteRegistry) -> Scenario:
    return build(registry)


def _send(
    bootstrap: str, topics: Topics, raw: list[tuple[bytes, bytes]], iot: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    produce(
        bootstrap, [(topics.alerts_raw, k, v) for k, v in raw] + [(topics.iot_events, k, v) for k, v in iot]
    )


def _diagnose(
    outcome: CaseOutcome, sc: Scenario, bootstrap: str, topics: Topics, workers: list[Worker]
) -> str:
    """What a failure report needs: which alerts are missing, and whether the pipeline dead-lettered them."""
    missing = sorted(sc.valid_alert_ids - set(outcome.cases_of_alert))
    if not missing:
        return ""
    dls = dead_letters(read_all(bootstrap, topics.deadletter, quiet_s=1.0, timeout_s=20))
    reasons: dict[str, int] = {}
    for d in dls:
        reasons[d.reason] = reasons.get(d.reason, 0) + 1
    tails = "\n".join(f"--- {w.log_path.name}\n{w.log_tail(15)}" for w in workers)
    return (
        f"{len(missing)} alerts in no case (first: {missing[:5]}); dead letters by reason: {reasons}; "
        f"case events read: {len(outcome.events)}\n{tails}"
    )


def _check_cases(outcome: CaseOutcome, sc: Scenario) -> None:
    assert not outcome.diagnostics, outcome.diagnostics
    grouping = outcome.grouping()
    camera_groups = {
        k: v
        for k, v in grouping.items()
        if k.split("|")[2] in {"high_altitude_throw", "corridor_clutter", "ebike_indoor"}
    }
    expected = expected_grouping(sc)
    assert set(camera_groups) == set(expected), "one case per (grid, building, kind) with alerts"
    for key, alert_ids in expected.items():
        assert camera_groups[key] == alert_ids, f"alerts of case {key}"
    iot_keys = {tuple(k.split("|")) for k in grouping if k not in expected}
    assert iot_keys == sc.expected_iot_keys
    # every valid alert in exactly one case; one case per key
    assert sc.valid_alert_ids <= set(outcome.cases_of_alert)
    assert all(len(cases) == 1 for cases in outcome.cases_of_alert.values())
    assert all(len(cases) == 1 for cases in outcome.cases_of_key.values())
    opened = [e for e in outcome.events if e.type is CaseEventType.OPENED]
    assert len(opened) == len(outcome.cases_of_key)


def _run_scenario(
    tmp_path: Path,
    bootstrap: str,
    prefix: str,
    registry_dir: Path,
    partitions: int,
    workers: int,
    sc: Scenario,
    kill_midway: bool = False,
) -> tuple[CaseOutcome, list[Worker]]:
    config = write_config(
        tmp_path / "pipeline.yaml",
        app_id=f"{prefix}-app",
        bootstrap=bootstrap,
        prefix=prefix,
        partitions=partitions,
        registry=registry_dir,
    )
    topics = Topics(prefix)
    running = [Worker(config, tmp_path / f"worker-{i}.log") for i in range(workers)]
    try:
        for w in running:
            w.wait_ready()
        wait_group_settled(running, partitions)
        first, second = sc.split(0.5 if kill_midway else 1.0)
        _send(bootstrap, topics, first, sc.iot)
        if kill_midway:
            read_all(bootstrap, topics.cases, until=len(sc.expected) // 3, quiet_s=0.5, count_if='"opened"')
            running[0].kill()
            replacement = Worker(config, tmp_path / "worker-restarted.log")
            running = [replacement]
            replacement.wait_ready()
            _send(bootstrap, topics, second)
        n_cases = len(sc.expected) + len(sc.expected_iot_keys)
        raw = read_all(
            bootstrap,
            topics.cases,
            until=n_cases,
            quiet_s=8.0,
            timeout_s=300,
            count_if='"opened"',
            complete=all_decided(sc),
        )
        outcome = CaseOutcome.fold(raw)
        outcome.diagnostics = _diagnose(outcome, sc, bootstrap, topics, running)
        return outcome, running
    except BaseException:
        for w in running:
            w.stop()
        raise


def test_scenario_produces_exactly_the_expected_cases(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path, scenario: Scenario
) -> None:
    outcome, workers = _run_scenario(tmp_path, kafka_bootstrap, topic_prefix, demo_district, 4, 1, scenario)
    try:
        _check_cases(outcome, scenario)
        dls = dead_letters(
            read_all(
                kafka_bootstrap,
                Topics(topic_prefix).deadletter,
                until=scenario.malformed + scenario.unknown,
                quiet_s=2.0,
            )
        )
        reasons = [d.reason for d in dls]
        assert reasons.count("invalid") == scenario.malformed
        assert reasons.count("unknown source") == scenario.unknown
        assert all(d.detail and d.offset is not None and d.partition is not None for d in dls)
        assert {d.original for d in dls if d.reason == "invalid"} >= {b"{not json", b"\xff\xfe\x00"}
        metrics = workers[0].metrics()
        assert f"sharpeyes_alert_duplicates_dropped_total {float(scenario.duplicates)}" in metrics
        if shutil.which("promtool"):
            check = subprocess.run(
                ["promtool", "check", "metrics"], input=metrics, capture_output=True, text=True, check=False
            )
            assert check.returncode == 0, check.stdout + check.stderr
        elif __import__("os").environ.get("CI") == "true":
            pytest.fail("promtool missing under CI (Debian package prometheus)")
    finally:
        for w in workers:
            w.stop()


def test_kill_9_midway_then_restart_gives_the_same_cases_none_twice(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path, scenario: Scenario
) -> None:
    outcome, workers = _run_scenario(
        tmp_path, kafka_bootstrap, topic_prefix, demo_district, 4, 1, scenario, kill_midway=True
    )
    try:
        _check_cases(outcome, scenario)
    finally:
        for w in workers:
            w.stop()


def test_two_workers_on_four_partitions_match_one(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path, scenario: Scenario
) -> None:
    outcome, workers = _run_scenario(tmp_path, kafka_bootstrap, topic_prefix, demo_district, 4, 2, scenario)
    try:
        _check_cases(outcome, scenario)
    finally:
        for w in workers:
            w.stop()


def test_sla_escalates_each_level_once_on_a_scaled_clock(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path, registry: SiteRegistry
) -> None:
    from datetime import UTC, datetime

    from sharpeyes.contract import AgentInfo, Alert, AlertKind, Severity

    # smoke, high: respond within 5 min around the clock; at time scale 0.002: 0.6 s, one level per 0.6 s
    config = write_config(
        tmp_path / "pipeline.yaml",
        app_id=f"{topic_prefix}-sla",
        bootstrap=kafka_bootstrap,
        prefix=topic_prefix,
        partitions=2,
        registry=demo_district,
        extra={"sla": {"time_scale": 0.002}, "sla_tick_s": 0.2},
    )
    worker = Worker(config, tmp_path / "worker.log")
    try:
        worker.wait_ready()
        smoke = next(
            d for d in sorted(registry.devices) if registry.devices[d].type.value == "smoke_detector"
        )
        alert = Alert(
            alert_id="sla-1",
            source_id=smoke,
            kind=AlertKind.SMOKE,
            ts=datetime.now(UTC),
            confidence=1.0,
            severity=Severity.HIGH,
            agent=AgentInfo(id="t", version="1"),
        )
        topics = Topics(topic_prefix)
        produce(kafka_bootstrap, [(topics.alerts_raw, smoke.encode(), alert.to_bytes())])
        raw = read_all(
            kafka_bootstrap, topics.cases, until=3, quiet_s=4.0, timeout_s=60, count_if='"escalated"'
        )
        outcome = CaseOutcome.fold(raw)
        levels = [e.case.escalation_level for e in outcome.events if e.type is CaseEventType.ESCALATED]
        assert levels == [EscalationLevel.GRID, EscalationLevel.COMMUNITY, EscalationLevel.STREET]
        assert 'sharpeyes_case_escalations_total{level="street"} 1.0' in worker.metrics()
    finally:
        worker.stop()
