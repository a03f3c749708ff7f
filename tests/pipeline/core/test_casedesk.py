from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.casedesk import CaseDesk, UnknownCase
from pipeline.core.enrich import UnknownSource, enrich
from pipeline.core.lifecycle import InvalidTransition
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import SlaConfig
from pipeline.core.state import DictCaseStore, KeyState
from sharpeyes.contract import (
    AlertKind,
    CaseEvent,
    CaseEventType,
    CaseStatus,
    CaseUpdate,
    EscalationLevel,
    Severity,
)
from sharpeyes.registry import SiteRegistry
from tests.pipeline.conftest import T0, AlertFactory, make_alert


def _cams(registry: SiteRegistry, n: int) -> list[str]:
    return sorted(registry.cameras)[:n]


def _run(desk: CaseDesk, store: DictCaseStore, registry: SiteRegistry, alerts: list) -> list[CaseEvent]:
    events: list[CaseEvent] = []
    for a in alerts:
        events.extend(desk.on_alert(store, enrich(a, registry.index), a.ts))
    return events


def test_first_alert_opens_and_later_ones_attach(registry: SiteRegistry, alert: AlertFactory) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(), DictCaseStore()
    events = _run(desk, store, registry, [alert("a1", cam), alert("a2", cam, offset_s=5)])
    assert [e.type for e in events] == [CaseEventType.OPENED, CaseEventType.ALERT_ATTACHED]
    assert events[0].case_id == events[1].case_id
    assert events[1].case.alert_count == 2
    assert events[1].case.alert_ids == ["a1", "a2"]
    assert [e.event_id for e in events] == [f"{events[0].case_id}:1", f"{events[0].case_id}:2"]
    building = registry.cameras[cam].building
    assert events[0].case.location.building == building
    assert events[0].case.location.grid == registry.buildings[building].grid


def test_redelivered_alert_changes_nothing(registry: SiteRegistry, alert: AlertFactory) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(), DictCaseStore()
    _run(desk, store, registry, [alert("a1", cam), alert("a2", cam)])
    before = {k: v.to_bytes() for k, v in store.data.items()}
    assert _run(desk, store, registry, [alert("a2", cam)]) == []
    assert {k: v.to_bytes() for k, v in store.data.items()} == before


def test_unknown_source_is_refused(registry: SiteRegistry, alert: AlertFactory) -> None:
    with pytest.raises(UnknownSource):
        enrich(alert("a1", "cam-not-in-registry"), registry.index)


def test_unregistered_device_is_placed_by_its_location(registry: SiteRegistry, alert: AlertFactory) -> None:
    grid_id, polygon = next(iter(registry.polygons.items()))
    point = polygon.representative_point()
    ea = enrich(
        alert("w1", "wl-not-registered", kind=AlertKind.WATER_LEVEL), registry.index, (point.x, point.y)
    )
    assert ea.path.grid == grid_id and ea.path.building is None
    with pytest.raises(UnknownSource):
        enrich(alert("w2", "wl-not-registered"), registry.index, (0.0, 0.0))


def test_case_ids_are_deterministic_across_replays(registry: SiteRegistry, alert: AlertFactory) -> None:
    cams = _cams(registry, 4)
    alerts = [alert(f"a{i}", cams[i % 4], offset_s=i) for i in range(20)]
    first = _run(CaseDesk(), DictCaseStore(), registry, alerts)
    second = _run(CaseDesk(), DictCaseStore(), registry, alerts)
    assert [e.to_bytes() for e in first] == [e.to_bytes() for e in second]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 11), st.sampled_from(list(AlertKind)), st.integers(0, 3600), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_every_alert_in_exactly_one_case_one_case_per_key(registry: SiteRegistry, plan: list) -> None:
    cams = _cams(registry, 12)
    alerts = []
    for i, (cam, kind, offset, repeat) in enumerate(plan):
        a = make_alert(f"al-{i}", cams[cam], kind=kind, offset_s=offset)
        alerts.append(a)
        if repeat:
            alerts.append(a)  # an edge retry
    events = _run(CaseDesk(), DictCaseStore(), registry, alerts)
    cases_of_alert: dict[str, set[str]] = defaultdict(set)
    cases_of_key: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e.alert_id:
            cases_of_alert[e.alert_id].add(e.case_id)
        cases_of_key[e.case.case_key].add(e.case_id)
    assert set(cases_of_alert) == {a.alert_id for a in alerts}
    assert all(len(c) == 1 for c in cases_of_alert.values())
    assert all(len(c) == 1 for c in cases_of_key.values())
    assert len({e.event_id for e in events}) == len(events), "event ids are unique"


def _update(case_id: str, status: CaseStatus, minutes: int) -> CaseUpdate:
    return CaseUpdate(
        update_id=f"u-{status.value}",
        case_id=case_id,
        status=status,
        ts=T0 + timedelta(minutes=minutes),
        actor="case-system",
    )


def test_lifecycle_to_closed_frees_the_key_and_flags_recurrence(
    registry: SiteRegistry, alert: AlertFactory
) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(), DictCaseStore()
    case_id = _run(desk, store, registry, [alert("a1", cam)])[0].case_id
    steps = [
        CaseStatus.DISPATCHED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.RESOLVED,
        CaseStatus.VERIFIED,
        CaseStatus.CLOSED,
    ]
    types = []
    for i, status in enumerate(steps):
        types += [e.type for e in desk.on_update(store, _update(case_id, status, i + 1), T0)]
    assert types[-2:] == [CaseEventType.STATUS_CHANGED, CaseEventType.CLOSED]
    reopened = _run(desk, store, registry, [alert("a9", cam, offset_s=3600)])
    assert reopened[0].type is CaseEventType.OPENED
    assert reopened[0].case_id != case_id
    assert reopened[0].case.recurrence_of == case_id
    with pytest.raises(UnknownCase):
        desk.on_update(store, _update(case_id, CaseStatus.DISPATCHED, 99), T0)


def test_invalid_transition_is_refused_and_changes_nothing(
    registry: SiteRegistry, alert: AlertFactory
) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(), DictCaseStore()
    case_id = _run(desk, store, registry, [alert("a1", cam)])[0].case_id
    before = {k: v.to_bytes() for k, v in store.data.items()}
    with pytest.raises(InvalidTransition, match="open -> verified"):
        desk.on_update(store, _update(case_id, CaseStatus.VERIFIED, 1), T0)
    assert {k: v.to_bytes() for k, v in store.data.items()} == before


def test_false_positive_closes_from_any_open_state(registry: SiteRegistry, alert: AlertFactory) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(), DictCaseStore()
    case_id = _run(desk, store, registry, [alert("a1", cam)])[0].case_id
    desk.on_update(store, _update(case_id, CaseStatus.DISPATCHED, 1), T0)
    events = desk.on_update(store, _update(case_id, CaseStatus.REJECTED_FALSE_POSITIVE, 2), T0)
    assert [e.type for e in events] == [CaseEventType.STATUS_CHANGED, CaseEventType.CLOSED]
    state = store.get(events[0].case.case_key)
    assert isinstance(state, KeyState) and state.open is None


def test_charging_and_smoke_in_one_building_become_critical(
    registry: SiteRegistry, alert: AlertFactory
) -> None:
    building = next(b for b in registry.buildings)
    socket = next(d.id for d in registry.devices.values() if d.building is not None)
    smoke = next(
        d.id
        for d in registry.devices.values()
        if d.building == registry.devices[socket].building and d.type.value == "smoke_detector"
    )
    assert building
    desk, store = CaseDesk(), DictCaseStore()
    events = _run(
        desk,
        store,
        registry,
        [
            alert("c1", socket, kind=AlertKind.EBIKE_CHARGING),
            alert("s1", smoke, kind=AlertKind.SMOKE, severity=Severity.HIGH, offset_s=30),
        ],
    )
    raised = [e for e in events if e.type is CaseEventType.SEVERITY_CHANGED]
    assert {e.case.kind for e in raised} == {AlertKind.EBIKE_CHARGING, AlertKind.SMOKE}
    assert all(e.case.severity is Severity.CRITICAL for e in raised)
    assert all("ebike_charging_with_smoke" in e.case.correlated for e in raised)


def test_sla_escalates_each_level_once(registry: SiteRegistry, alert: AlertFactory) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(CasePolicy(), SlaConfig(time_scale=0.001)), DictCaseStore()
    opened = _run(desk, store, registry, [alert("a1", cam, kind=AlertKind.SMOKE, severity=Severity.HIGH)])[0]
    key = opened.case.case_key
    # smoke, high: respond in 5 min around the clock → 0.3 s at time scale 0.001; one level per 0.3 s
    assert opened.case.respond_by == T0 + timedelta(seconds=0.3)
    levels = []
    for ms in range(0, 3000, 50):
        for e in desk.on_tick(store, [key], T0 + timedelta(milliseconds=ms)):
            assert e.type is CaseEventType.ESCALATED
            levels.append(e.case.escalation_level)
    assert levels == [EscalationLevel.GRID, EscalationLevel.COMMUNITY, EscalationLevel.STREET]


def test_dispatch_in_time_prevents_escalation(registry: SiteRegistry, alert: AlertFactory) -> None:
    cam = _cams(registry, 1)[0]
    desk, store = CaseDesk(CasePolicy(), SlaConfig(time_scale=0.001)), DictCaseStore()
    opened = _run(desk, store, registry, [alert("a1", cam, kind=AlertKind.SMOKE, severity=Severity.HIGH)])[0]
    desk.on_update(
        store,
        CaseUpdate(
            update_id="u1",
            case_id=opened.case_id,
            status=CaseStatus.DISPATCHED,
            ts=T0 + timedelta(seconds=0.1),
            actor="w",
        ),
        T0,
    )
    # the resolve deadline (4 h → 14.4 s scaled) is still far
    assert desk.on_tick(store, [opened.case.case_key], T0 + timedelta(seconds=5)) == []
