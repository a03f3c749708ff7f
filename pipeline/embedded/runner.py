"""``EmbeddedPipeline``: the stream processors' core on one box, without Kafka.

Same decisions as the Faust workers (``pipeline.core``), over in-process calls. Each input message is
decided, its state written, its case events projected and its dead letter (if any) recorded in ONE
SQLite transaction, so the embedded default is exactly-once by construction: a crash rolls the whole
message back, and the caller (an edge outbox, the demo) simply hands it in again.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from pipeline.core.casedesk import CaseDesk, UnknownCase
from pipeline.core.enrich import UnknownSource, enrich, place_reading
from pipeline.core.iot_rules import IotRulesConfig, evaluate
from pipeline.core.lifecycle import InvalidTransition
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import SlaConfig
from pipeline.embedded.store import SqliteCaseStore
from pipeline.projection import CaseProjection
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.contract import CaseEvent, decode_alert, decode_case_update, decode_iot_event
from sharpeyes.errors import ContractError
from sharpeyes.logs import fields
from sharpeyes.registry import SiteRegistry
from sharpeyes.timefmt import format_rfc3339

log = logging.getLogger(__name__)

CaseListener = Callable[[CaseEvent], None]


@dataclass
class RunnerStats:
    alerts: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    case_events: int = 0
    cases_opened: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


class EmbeddedPipeline:
    def __init__(
        self,
        registry: SiteRegistry,
        db_path: str,
        *,
        policy: CasePolicy | None = None,
        sla: SlaConfig | None = None,
        iot: IotRulesConfig | None = None,
        dedupe_ttl: timedelta = timedelta(days=1),
        clock: Clock | None = None,
    ) -> None:
        self.index = registry.index
        self.conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.store = SqliteCaseStore(self.conn)
        self.projection = CaseProjection(self.conn)
        self.desk = CaseDesk(policy, sla)
        self.iot_config = iot or IotRulesConfig()
        self.dedupe_ttl = dedupe_ttl
        self.clock = clock or SystemClock()
        self.listeners: list[CaseListener] = []
        self.stats = RunnerStats()
        # one SQLite connection used from the edge forwarder, the console and the clock: one message at a time
        self._lock = threading.Lock()

    def subscribe(self, listener: CaseListener) -> None:
        """Called with each new case event after its transaction committed (console, webhooks)."""
        self.listeners.append(listener)

    def _commit(self, decide: Callable[[], list[CaseEvent]]) -> list[CaseEvent]:
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                events = decide()
                fresh = [e for e in events if self.projection.apply(e)]
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
        for event in fresh:
            self.stats.case_events += 1
            if event.type.value == "opened":
                self.stats.cases_opened += 1
            for listener in self.listeners:
                try:
                    listener(event)
                except Exception:
                    log.exception("case listener failed", extra=fields(event_id=event.event_id))
        return fresh

    def _dead(self, reason: str, detail: str, source: str, raw: bytes) -> list[CaseEvent]:
        self.store.dead_letter(reason, detail, source, raw, format_rfc3339(self.clock.now()))
        self.stats.dead_letters += 1
        self.stats.by_reason[reason] = self.stats.by_reason.get(reason, 0) + 1
        log.warning("dead letter", extra=fields(reason=reason, detail=detail[:200], source=source))
        return []

    def submit_alert(self, raw: bytes, source: str = "alerts") -> list[CaseEvent]:
        def decide() -> list[CaseEvent]:
            try:
                alert = decode_alert(raw)
            except ContractError as exc:
                return self._dead("invalid", str(exc), source, raw)
            if not self.store.first_time(alert.alert_id, alert.ts.timestamp()):
                self.stats.duplicates += 1
                return []
            try:
                ea = enrich(alert, self.index)
            except UnknownSource as exc:
                return self._dead("unknown source", str(exc), source, raw)
            self.stats.alerts += 1
            return self.desk.on_alert(self.store, ea, alert.ts)

        return self._commit(decide)

    def submit_iot(self, raw: bytes, source: str = "iot") -> list[CaseEvent]:
        def decide() -> list[CaseEvent]:
            try:
                reading = decode_iot_event(raw)
            except ContractError as exc:
                return self._dead("invalid", str(exc), source, raw)
            try:
                at = place_reading(reading, self.index)
            except UnknownSource as exc:
                return self._dead("unknown source", str(exc), source, raw)
            state = self.store.device(reading.device_id)
            alerts = evaluate(self.iot_config, state, reading)
            self.store.put_device(reading.device_id, state)
            out: list[CaseEvent] = []
            for alert in alerts:
                try:
                    ea = enrich(alert, self.index, at)
                except UnknownSource as exc:
                    self._dead("unknown source", str(exc), source, raw)
                    continue
                if self.store.first_time(alert.alert_id, alert.ts.timestamp()):
                    self.stats.alerts += 1
                    out += self.desk.on_alert(self.store, ea, alert.ts)
            return out

        return self._commit(decide)

    def submit_update(self, raw: bytes, source: str = "updates") -> list[CaseEvent]:
        def decide() -> list[CaseEvent]:
            try:
                update = decode_case_update(raw)
                return self.desk.on_update(self.store, update, self.clock.now())
            except ContractError as exc:
                return self._dead("invalid", str(exc), source, raw)
            except UnknownCase as exc:
                return self._dead("unknown case", str(exc), source, raw)
            except InvalidTransition as exc:
                return self._dead("invalid transition", str(exc), source, raw)

        return self._commit(decide)

    def tick(self) -> list[CaseEvent]:
        """SLA escalation and state expiry; call every few seconds."""
        now = self.clock.now()

        def decide() -> list[CaseEvent]:
            self.store.forget_seen_before((now - self.dedupe_ttl).timestamp())
            return self.desk.on_tick(self.store, self.store.keys(), now)

        return self._commit(decide)
