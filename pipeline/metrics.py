"""Prometheus metrics of the stream processors (conventional names, base units, one registry per app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.alerts_in = Counter(
            "sharpeyes_alerts_received", "Valid alerts received, by kind", ["kind"], registry=r
        )
        self.iot_events_in = Counter(
            "sharpeyes_iot_events_received", "Valid IoT events received", ["measurement"], registry=r
        )
        self.duplicates = Counter(
            "sharpeyes_alert_duplicates_dropped", "Alerts dropped as exact duplicates", registry=r
        )
        self.dead_letters = Counter(
            "sharpeyes_dead_letters",
            "Messages sent to the dead-letter topic, by reason",
            ["reason"],
            registry=r,
        )
        self.cases_opened = Counter("sharpeyes_cases_opened", "Cases opened, by kind", ["kind"], registry=r)
        self.case_events = Counter(
            "sharpeyes_case_events", "Case events emitted, by type", ["type"], registry=r
        )
        self.escalations = Counter(
            "sharpeyes_case_escalations", "SLA escalations, by level", ["level"], registry=r
        )
        self.open_cases = Gauge("sharpeyes_open_cases", "Open cases held by this worker", registry=r)
        self.decision_latency = Histogram(
            "sharpeyes_decision_latency_seconds",
            "Event time of an alert to its case decision",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
            registry=r,
        )
