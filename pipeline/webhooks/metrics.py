"""Prometheus metrics of webhook delivery and inbound updates, on a registry the caller owns."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from pipeline.webhooks.breaker import BreakerState


class WebhookMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "sharpeyes_webhook_deliveries_total",
            "Case events finished per endpoint, by outcome (delivered, dead_lettered)",
            ["endpoint", "outcome"],
            registry=registry,
        )
        self.attempts = Counter(
            "sharpeyes_webhook_attempts_total",
            "HTTP delivery attempts, by result (2xx, 4xx, 429, 5xx, connection_error, timeout)",
            ["endpoint", "result"],
            registry=registry,
        )
        self.latency = Histogram(
            "sharpeyes_webhook_delivery_latency_seconds",
            "From the first attempt to the accepting response, retries included",
            ["endpoint"],
            buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200),
            registry=registry,
        )
        self.breaker_state = Gauge(
            "sharpeyes_webhook_breaker_state",
            "Circuit breaker per endpoint: 0 closed, 1 half-open, 2 open",
            ["endpoint"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "sharpeyes_webhook_dead_letters_total",
            "Case events written to the webhook dead-letter topic, by reason",
            ["endpoint", "reason"],
            registry=registry,
        )
        self.inbound = Counter(
            "sharpeyes_case_updates_inbound_total",
            "Inbound case-system updates by HTTP status and reason",
            ["status", "reason"],
            registry=registry,
        )

    def set_breaker(self, endpoint: str, state: BreakerState) -> None:
        self.breaker_state.labels(endpoint=endpoint).set(state.gauge)
