"""``CaseDesk``: the decisions that turn enriched alerts, case-system updates and clock ticks into
case events. One case per case key while it is open; deterministic ids; idempotent on redelivery.

The desk reads and writes key states only through a ``CaseStore`` and only for keys of the routing
key (building) of the command at hand, so it runs unchanged on a partition of a Faust table.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from pipeline.core.enrich import EnrichedAlert
from pipeline.core.keys import SEP, case_id_for, event_id_for, routing_key_of_case_id
from pipeline.core.lifecycle import check_transition
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import LEVELS, SlaClock, SlaConfig, due_level, overdue_since
from pipeline.core.state import CaseStore, KeyState, OpenCase, latest
from sharpeyes.contract import (
    AlertKind,
    CaseEvent,
    CaseEventType,
    CaseStatus,
    CaseUpdate,
    EvidenceRef,
    Severity,
    StatusChange,
)
from sharpeyes.contract.base import construct_trusted
from sharpeyes.contract.case import CASE_EVENT_SCHEMA
from sharpeyes.errors import SharpEyesError


class UnknownCase(SharpEyesError):
    """An update names a case that is not open (never was, or already closed)."""


class CaseDesk:
    def __init__(self, policy: CasePolicy | None = None, sla: SlaConfig | None = None) -> None:
        self.policy = policy or CasePolicy()
        self.sla = SlaClock(self.policy, sla or SlaConfig())
        # looked up per alert: resolved once (the policy is frozen)
        self._merge_window = {kind: self.policy.merge_window(kind) for kind in AlertKind}
        self._rules_of = {
            kind: [rule for rule in self.policy.correlations if kind in rule.kinds] for kind in AlertKind
        }

    # --- alerts ----------------------------------------------------------------------------------

    def on_alert(self, store: CaseStore, ea: EnrichedAlert, now: datetime) -> list[CaseEvent]:
        state = store.get(ea.case_key) or KeyState()
        alert = ea.alert
        events: list[CaseEvent] = []
        case = state.open
        if case is None:
            case = self._open(state, ea)
            events.append(self._event(case, CaseEventType.OPENED, now, alert.alert_id))
        else:
            if alert.alert_id in case.recent_alert_ids or alert.alert_id in case.first_alert_ids:
                return []  # a redelivery that slipped past stage-1 dedupe: already in this case
            self._attach(case, ea)
            events.append(self._event(case, CaseEventType.ALERT_ATTACHED, now, alert.alert_id))
            if alert.severity.rank > case.severity.rank:
                case.severity = alert.severity
                case.base_severity = Severity.highest(case.base_severity, alert.severity)
                events.append(self._event(case, CaseEventType.SEVERITY_CHANGED, now, alert.alert_id))
        state.open = case
        store.put(ea.case_key, state)
        events.extend(self._correlate(store, ea.case_key, now))
        return events

    def _open(self, state: KeyState, ea: EnrichedAlert) -> OpenCase:
        alert = ea.alert
        case_id = case_id_for(ea.case_key, alert.alert_id)
        respond_by, resolve_by, _ = self.sla.deadlines(alert.kind, alert.severity, alert.ts)
        recurrence = None
        if state.last_closed_at is not None and alert.ts - state.last_closed_at <= timedelta(
            minutes=self.policy.recurrence_window_min
        ):
            recurrence = state.last_closed_case_id
        attrs = alert.attributes.model_dump(mode="json")
        return OpenCase(
            case_id=case_id,
            case_key=ea.case_key,
            kind=alert.kind,
            severity=alert.severity,
            base_severity=alert.severity,
            location=ea.path,
            floor=ea.floor,
            zone=alert.zone,
            source_ids=[alert.source_id],
            opened_at=alert.ts,
            first_seen=alert.ts,
            last_seen=alert.ts,
            first_alert_ids=[alert.alert_id],
            evidence=self._evidence(ea)[:1],
            respond_by=respond_by,
            resolve_by=resolve_by,
            recurrence_of=recurrence,
            history=[StatusChange(status=CaseStatus.OPEN, at=alert.ts, by="sharpeyes")],
            attributes=attrs,
        )

    def _attach(self, case: OpenCase, ea: EnrichedAlert) -> None:
        alert = ea.alert
        if alert.ts - case.last_seen > self._merge_window[case.kind]:
            case.incidents += 1  # quiet for longer than the merge window: a new incident of the same case
        case.alert_count += 1
        case.first_seen = min(case.first_seen, alert.ts)
        case.last_seen = latest(case.last_seen, alert.ts)
        half = self.policy.max_alert_ids // 2
        if len(case.first_alert_ids) < half:
            case.first_alert_ids.append(alert.alert_id)
        else:
            case.recent_alert_ids = [*case.recent_alert_ids, alert.alert_id][-half:]
        if alert.source_id not in case.source_ids and len(case.source_ids) < 32:
            case.source_ids.append(alert.source_id)
        if len(case.evidence) < self.policy.max_evidence:
            case.evidence.extend(self._evidence(ea))

    @staticmethod
    def _evidence(ea: EnrichedAlert) -> list[EvidenceRef]:
        ev = ea.alert.evidence
        if ev is None:
            return []
        return [EvidenceRef(alert_id=ea.alert.alert_id, sha256=ev.sha256, uri=ev.uri)]

    def _correlate(self, store: CaseStore, key: str, now: datetime) -> list[CaseEvent]:
        grid, building, kind_value = key.split(SEP)
        if building == "-":
            return []
        rules = self._rules_of[AlertKind(kind_value)]
        events: list[CaseEvent] = []
        for rule in rules:
            keys = [f"{grid}{SEP}{building}{SEP}{k.value}" for k in sorted(rule.kinds)]
            states = [store.get(k) for k in keys]
            if not all(s is not None and s.open is not None for s in states):
                continue
            for k, s in zip(keys, states, strict=True):
                assert s is not None and s.open is not None  # noqa: S101 - checked above
                case = s.open
                modified = rule.name not in case.correlated
                if modified:
                    case.correlated.append(rule.name)
                if rule.severity.rank > case.severity.rank:
                    case.severity = rule.severity
                    events.append(self._event(case, CaseEventType.SEVERITY_CHANGED, now, None))
                    modified = True
                if modified:
                    store.put(k, s)
        return events

    # --- updates from the case system ---------------------------------------------------------

    def case_key_of(self, store: CaseStore, case_id: str) -> str | None:
        routing = routing_key_of_case_id(case_id)
        if routing is None:
            return None
        kind = case_id.split(".")[2]
        return f"{routing}{SEP}{kind}"

    def on_update(self, store: CaseStore, update: CaseUpdate, now: datetime) -> list[CaseEvent]:
        """Apply a status change. Raises ``UnknownCase`` or ``InvalidTransition`` (dead letter / 4xx)."""
        key = self.case_key_of(store, update.case_id)
        state = store.get(key) if key else None
        if key is None or state is None or state.open is None or state.open.case_id != update.case_id:
            raise UnknownCase(f"case {update.case_id} is not open")
        case = state.open
        if any(
            h.at == update.ts and h.status == update.status and h.by == update.actor and h.note == update.note
            for h in case.history
        ):
            return []  # the same update redelivered
        if not check_transition(case.status, update.status) and update.note is None:
            return []  # a repeat of the current status; with a note it is an operator's note: recorded
        case.status = update.status
        case.history.append(
            StatusChange(status=update.status, at=update.ts, by=update.actor, note=update.note)
        )
        events = [self._event(case, CaseEventType.STATUS_CHANGED, now, None)]
        if update.status.is_terminal:
            events.append(self._event(case, CaseEventType.CLOSED, now, None))
            state.open = None
            state.last_closed_case_id = case.case_id
            state.last_closed_at = update.ts
        store.put(key, state)
        return events

    # --- the clock ------------------------------------------------------------------------------

    def on_tick(self, store: CaseStore, keys: Iterable[str], now: datetime) -> list[CaseEvent]:
        """SLA check for the given keys: escalate what is overdue, one level at a time, once per level."""
        events: list[CaseEvent] = []
        for key in keys:
            state = store.get(key)
            if state is None:
                continue
            if state.open is None:
                horizon = timedelta(minutes=self.policy.closed_retention_min)
                if state.last_closed_at is None or now - state.last_closed_at > horizon:
                    store.delete(key)  # bounded memory: forget closed keys after the retention
                continue
            case = state.open
            if case.respond_by is None or case.resolve_by is None:
                continue
            since = overdue_since(case.status, case.respond_by, case.resolve_by, now)
            if since is None:
                continue
            _, _, step_s = self.sla.deadlines(case.kind, case.severity, case.opened_at)
            target = due_level(since, step_s, now)
            current = -1 if case.escalation_level is None else LEVELS.index(case.escalation_level)
            if LEVELS.index(target) <= current:
                continue
            for level in LEVELS[current + 1 : LEVELS.index(target) + 1]:
                case.escalation_level = level
                events.append(self._event(case, CaseEventType.ESCALATED, now, None))
            store.put(key, state)
        return events

    # --- events -----------------------------------------------------------------------------------

    @staticmethod
    def _event(case: OpenCase, kind: CaseEventType, now: datetime, alert_id: str | None) -> CaseEvent:
        case.seq += 1
        return construct_trusted(
            CaseEvent,
            {
                "schema_": CASE_EVENT_SCHEMA,
                "event_id": event_id_for(case.case_id, case.seq),
                "case_id": case.case_id,
                "type": kind,
                "ts": now,
                "alert_id": alert_id,
                "case": case.snapshot(),
            },
        )
