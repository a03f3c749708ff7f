"""What an operator sees of an edge box: Prometheus ``/metrics`` and per-camera heartbeats.

Heartbeats go to ``sharpeyes.edge.health`` (key = camera id) every ``heartbeat_every_s``: online state,
frames in and out per second, inference time, outbox depth. They are not queued on disk: a heartbeat
that cannot be sent is stale by the next one, so it is dropped and counted.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from edge.outbox import Eviction
from sharpeyes.contract import Severity
from sharpeyes.timefmt import format_rfc3339

HEALTH_SCHEMA = "sharpeyes.edge.health/1"
_SEVERITY_BY_RANK = {s.rank: s.value for s in Severity}


@dataclass(frozen=True)
class Heartbeat:
    agent_id: str
    camera_id: str
    ts: datetime
    state: str
    online: bool
    fps_in: float
    fps_out: float
    inference_ms: float
    detector_saved_fraction: float
    reconnects: int
    outbox_depth: int

    def to_bytes(self) -> bytes:
        doc = {"schema": HEALTH_SCHEMA, **asdict(self), "ts": format_rfc3339(self.ts)}
        for key in ("fps_in", "fps_out", "inference_ms", "detector_saved_fraction"):
            doc[key] = round(float(doc[key]), 3)
        return json.dumps(doc, separators=(",", ":")).encode("utf-8")


class AgentMetrics:
    """All of the agent's metrics, on an injected registry (tests and several agents never collide)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        camera = ["camera"]
        self.online = Gauge("sharpeyes_edge_camera_online", "1 while frames flow", camera, registry=registry)
        self.fps_in = Gauge("sharpeyes_edge_fps_in", "frames read per second", camera, registry=registry)
        self.fps_out = Gauge(
            "sharpeyes_edge_fps_out", "frames analysed per second", camera, registry=registry
        )
        self.inference_ms = Gauge(
            "sharpeyes_edge_inference_ms", "last detector inference time", camera, registry=registry
        )
        self.stage_seconds = Histogram(
            "sharpeyes_edge_stage_seconds",
            "time per analysed frame by stage",
            ["stage"],
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
            registry=registry,
        )
        self.detector_runs = Counter(
            "sharpeyes_edge_detector_runs",
            "detector runs by gate reason",
            ["camera", "reason"],
            registry=registry,
        )
        self.inference_saved = Gauge(
            "sharpeyes_edge_inference_saved_ratio",
            "share of analysed frames where the motion gate skipped the detector",
            camera,
            registry=registry,
        )
        self.reconnects = Gauge(
            "sharpeyes_edge_reconnects", "camera reconnects so far", camera, registry=registry
        )
        self.alerts = Counter(
            "sharpeyes_edge_alerts", "alerts accepted into the outbox", ["camera", "kind"], registry=registry
        )
        self.outbox_depth = Gauge("sharpeyes_edge_outbox_depth", "alerts waiting on disk", registry=registry)
        self.outbox_bytes = Gauge(
            "sharpeyes_edge_outbox_bytes", "bytes of alerts waiting on disk", registry=registry
        )
        self.outbox_sent = Counter(
            "sharpeyes_edge_outbox_sent", "alerts the broker acknowledged", registry=registry
        )
        self.outbox_evicted = Counter(
            "sharpeyes_edge_outbox_evicted",
            "unsent alerts evicted because the outbox was full",
            ["severity"],
            registry=registry,
        )
        self.heartbeats_dropped = Counter(
            "sharpeyes_edge_heartbeats_dropped", "heartbeats that could not be sent", registry=registry
        )

    def evicted(self, eviction: Eviction) -> None:
        """``OutboxObserver``: count an eviction by severity."""
        self.outbox_evicted.labels(severity=_SEVERITY_BY_RANK.get(eviction.severity_rank, "unknown")).inc()
