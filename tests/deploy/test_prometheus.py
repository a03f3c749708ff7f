"""Prometheus config and alert rules: promtool checks, rule unit tests, and no rule or dashboard
panel that names a metric nothing exports."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator

import pytest
import yaml
from prometheus_client import CollectorRegistry

from pipeline.metrics import PipelineMetrics
from pipeline.webhooks.metrics import WebhookMetrics
from tests.deploy.tools import DEPLOY, tool

PROM = DEPLOY / "prometheus"
DASHBOARD = DEPLOY / "grafana" / "sharpeyes-overview.json"

# The edge agent's metrics (edge/health.py, another branch); checked against the module when present.
EDGE_METRICS = {
    "sharpeyes_edge_camera_online",
    "sharpeyes_edge_fps_out",
    "sharpeyes_edge_outbox_depth",
    "sharpeyes_edge_outbox_sent_total",
    "sharpeyes_edge_outbox_evicted_total",
}
# Exported by Prometheus itself and by kafka-exporter (danielqsj/kafka_exporter).
EXTERNAL_METRICS = {"up", "kafka_consumergroup_lag"}
ALERTS = {
    "EdgeAgentDown",
    "CameraOffline",
    "EdgeOutboxGrowing",
    "EdgeOutboxEvicting",
    "PipelineWorkerDown",
    "DeadLettersRising",
    "ConsumerLagHigh",
    "CaseSlaBreached",
    "CaseSlaBreachedAtStreet",
    "WebhookDeliveriesFailing",
    "WebhookBreakerOpen",
    "WebhookDeadLetters",
}
PROMQL_WORDS = {
    "sum", "by", "rate", "increase", "deriv", "and", "or", "vector", "count", "histogram_quantile", "le",
}  # fmt: skip


def _exported(registry: CollectorRegistry) -> set[str]:
    suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"], "gauge": [""]}
    return {
        family.name + suffix
        for family in registry.collect()
        for suffix in suffixes.get(family.type, [""])
        if not family.name.startswith(("python_", "process_"))
    }


def known_metrics() -> set[str]:
    pipeline = PipelineMetrics()
    webhooks = CollectorRegistry()
    WebhookMetrics(webhooks)
    return _exported(pipeline.registry) | _exported(webhooks) | EDGE_METRICS | EXTERNAL_METRICS


def metric_names(expr: str) -> set[str]:
    """Identifiers in a PromQL expression that are metric names (not functions, labels or strings)."""
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|without)\s*\([^)]*\)", "", expr)  # grouping labels
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", expr))
    return {w for w in words if w not in PROMQL_WORDS}


def rules() -> Iterator[dict]:
    doc = yaml.safe_load((PROM / "alerts.yml").read_text(encoding="utf-8"))
    for group in doc["groups"]:
        yield from group["rules"]


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("promtool"), *args], cwd=PROM, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("check", "config", "prometheus.yml"), id="check-config"),
        pytest.param(("check", "rules", "alerts.yml"), id="check-rules"),
        pytest.param(("test", "rules", "alerts_test.yml"), id="test-rules"),
    ],
)
def test_promtool(args: tuple[str, ...]) -> None:
    result = _promtool(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout + result.stderr


def test_promtool_would_catch_a_wrong_expectation() -> None:
    """The unit tests are not vacuous: flipping one expected label makes promtool fail."""
    test = (PROM / "alerts_test.yml").read_text(encoding="utf-8").replace("camera: cam-a", "camera: cam-b")
    (PROM / ".alerts_test.flipped.yml").write_text(test, encoding="utf-8")
    try:
        result = _promtool("test", "rules", ".alerts_test.flipped.yml")
    finally:
        (PROM / ".alerts_test.flipped.yml").unlink()
    assert result.returncode != 0
    assert "CameraOffline" in result.stdout + result.stderr


def test_every_alert_is_defined_and_unit_tested() -> None:
    names = {r["alert"] for r in rules()}
    assert names == ALERTS
    tests = yaml.safe_load((PROM / "alerts_test.yml").read_text(encoding="utf-8"))
    fired = {
        case["alertname"] for t in tests["tests"] for case in t["alert_rule_test"] if case.get("exp_alerts")
    }
    assert fired == ALERTS, "every alert has a case where it fires"


@pytest.mark.parametrize("rule", list(rules()), ids=lambda r: r["alert"])
def test_rule_names_only_exported_metrics(rule: dict) -> None:
    unknown = metric_names(rule["expr"]) - known_metrics()
    assert not unknown, f"{rule['alert']} uses metrics nothing exports: {sorted(unknown)}"
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert {"summary", "description"} <= set(rule["annotations"])


def test_edge_metric_names_match_the_agent() -> None:
    health = pytest.importorskip("edge.health", reason="the edge agent is not in this branch yet")
    registry = CollectorRegistry()
    names = {n for n in dir(health) if n.endswith("Metrics")}
    assert names, "edge.health defines a *Metrics class"
    getattr(health, sorted(names)[0])(registry)
    assert _exported(registry) >= EDGE_METRICS


def test_dashboard_covers_every_alert_with_known_metrics() -> None:
    dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = [p for p in dash["panels"] if p["type"] != "row"]
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
    used: set[str] = set()
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            names = metric_names(target["expr"])
            assert names <= known_metrics(), f"{panel['title']}: {sorted(names - known_metrics())}"
            used |= names
    rule_metrics = set().union(*(metric_names(r["expr"]) for r in rules()))
    assert rule_metrics <= used, f"alerts without a panel: {sorted(rule_metrics - used)}"
    described = " ".join(p.get("description", "") for p in panels)
    assert all(alert in described for alert in ALERTS), "each alert named on the panel that shows it"


def test_metric_name_extraction() -> None:
    expr = 'sum by (endpoint) (rate(foo_total{result!="2xx"}[10m])) / sum(bar) > 0.2 and up{job="x"} == 0'
    assert metric_names(expr) == {"foo_total", "bar", "up"}
