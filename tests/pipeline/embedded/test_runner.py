from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.core.casedesk import CaseDesk
from pipeline.embedded import EmbeddedPipeline
from sharpeyes.contract import CaseEventType, CaseStatus, CaseUpdate
from sharpeyes.registry import SiteRegistry
from tests.integration.scenario import build, expected_grouping
from tests.pipeline.conftest import make_alert


@pytest.fixture
def runner(tmp_path: Path, registry: SiteRegistry) -> EmbeddedPipeline:
    return EmbeddedPipeline(registry, str(tmp_path / "state.sqlite"))


def test_the_kafka_scenario_gives_the_same_cases_embedded(
    runner: EmbeddedPipeline, registry: SiteRegistry
) -> None:
    sc = build(registry)
    for _key, value in sc.raw_alerts:
        runner.submit_alert(value)
    for _key, value in sc.iot:
        runner.submit_iot(value)
    alerts_of_case: dict[str, set[str]] = defaultdict(set)
    key_of_case: dict[str, str] = {}
    for snap in runner.projection.cases():
        key_of_case[snap.case_id] = snap.case_key
        for event in runner.projection.events_of(snap.case_id):
            if event.alert_id:
                alerts_of_case[snap.case_id].add(event.alert_id)
    grouping = {key_of_case[c]: frozenset(a) for c, a in alerts_of_case.items()}
    expected = expected_grouping(sc)
    assert {k: v for k, v in grouping.items() if k in expected} == expected
    assert {tuple(k.split("|")) for k in grouping if k not in expected} == sc.expected_iot_keys
    assert runner.stats.duplicates == sc.duplicates
    assert runner.store.dead_letter_counts() == {"invalid": sc.malformed, "unknown source": sc.unknown}


def test_lifecycle_through_the_projection(runner: EmbeddedPipeline) -> None:
    opened = runner.submit_alert(make_alert("a1", "cam-b-001-facade").to_bytes())[0]
    case_id = opened.case_id
    assert runner.projection.status_of(case_id) is CaseStatus.OPEN
    now = datetime.now(UTC)

    def update(status: CaseStatus, n: int) -> bytes:
        return CaseUpdate(
            update_id=f"u{n}", case_id=case_id, status=status, ts=now + timedelta(seconds=n), actor="operator"
        ).to_bytes()

    assert runner.submit_update(update(CaseStatus.VERIFIED, 1)) == []  # open -> verified is not allowed
    assert runner.store.dead_letter_counts() == {"invalid transition": 1}
    assert runner.projection.status_of(case_id) is CaseStatus.OPEN
    events = runner.submit_update(update(CaseStatus.REJECTED_FALSE_POSITIVE, 2))
    assert [e.type for e in events] == [CaseEventType.STATUS_CHANGED, CaseEventType.CLOSED]
    assert runner.projection.status_of(case_id) is CaseStatus.REJECTED_FALSE_POSITIVE
    assert runner.projection.status_of("gr-x.B-x.smoke.0000000000") is None


def test_a_failing_decision_rolls_back_everything(
    runner: EmbeddedPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression guard for exactly-once in the embedded mode: a crash mid-message leaves no trace."""
    raw = make_alert("a1", "cam-b-001-facade").to_bytes()

    def boom(*args: object, **kwargs: object) -> list:
        raise RuntimeError("power cut")

    monkeypatch.setattr(CaseDesk, "on_alert", boom)
    with pytest.raises(RuntimeError):
        runner.submit_alert(raw)
    monkeypatch.undo()
    assert runner.projection.cases() == []
    events = runner.submit_alert(raw)  # handed in again: not mistaken for a duplicate
    assert [e.type for e in events] == [CaseEventType.OPENED]


def test_listeners_see_each_new_event_once(runner: EmbeddedPipeline) -> None:
    seen: list[str] = []
    runner.subscribe(lambda e: seen.append(e.event_id))
    raw = make_alert("a1", "cam-b-001-facade").to_bytes()
    runner.submit_alert(raw)
    runner.submit_alert(raw)
    assert len(seen) == 1
