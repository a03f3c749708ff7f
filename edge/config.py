"""The edge agent's configuration (``sharpeyes edge run --config FILE``): one NVR box, cameras, uplink."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from sharpeyes.config.camera import CameraConfig, ConfigModel
from sharpeyes.kafka_security import KafkaSecurity


class KafkaSettings(ConfigModel):
    bootstrap: str = Field(min_length=1, description="host:port[,host:port] of the Kafka brokers")
    topic_prefix: str = Field(default="sharpeyes", pattern=r"^[A-Za-z0-9._-]+$")
    request_timeout_ms: int = Field(default=10_000, ge=1000, le=120_000)
    security: KafkaSecurity = Field(default_factory=KafkaSecurity, description="PLAINTEXT or SASL_SSL")

    def topic(self, name: str) -> str:
        """``alerts.raw`` → ``sharpeyes.alerts.raw``."""
        return f"{self.topic_prefix}.{name}"


class OutboxSettings(ConfigModel):
    path: Path = Field(description="SQLite file of the store-and-forward outbox")
    max_bytes: int = Field(default=256 * 1024 * 1024, ge=64 * 1024, description="disk bound of queued alerts")


class DetectorSettings(ConfigModel):
    manifests: dict[str, Path] = Field(default_factory=dict, description="model name -> manifest YAML")
    ebike_model: str | None = Field(default=None, description="which model the ebike_indoor rule runs")
    ebike_track_start: float | None = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="score from which an e-bike detection starts a track; null = the manifest's threshold",
    )
    clutter_people_model: str | None = Field(
        default=None,
        description="model whose person class corridor_clutter masks people with; null = model-free",
    )
    clutter_silhouettes: Path | None = Field(
        default=None,
        description="manifest of a person silhouette model: with clutter_people_model, corridor_clutter "
        "masks the pixels people show, not their whole boxes (models/silhouette/person-silhouette.yaml); "
        "null = whole boxes",
    )
    clutter_width: int | None = Field(
        default=None,
        ge=160,
        le=1920,
        description="width corridor_clutter analyses frames at, its pixel counts and distances scaled to it; "
        "null = the rule's default (480: an item showing between a standing person's legs keeps its colour); "
        "320 costs about half as much per frame and misses such items (benchmarks/RESULTS.md, session 29)",
    )
    intra_op_threads: int = Field(default=2, ge=1, le=16)
    stationary_every_s: float = Field(default=10.0, gt=0, description="detector check without motion")
    motion_gate: bool = True

    @model_validator(mode="after")
    def _known_model(self) -> DetectorSettings:
        for field_name in ("ebike_model", "clutter_people_model"):
            model = getattr(self, field_name)
            if model is not None and model not in self.manifests:
                raise ValueError(f"{field_name} {model!r} is not one of manifests {sorted(self.manifests)}")
        if self.clutter_silhouettes is not None and self.clutter_people_model is None:
            raise ValueError("clutter_silhouettes needs clutter_people_model (the boxes it looks into)")
        return self


class AgentConfig(ConfigModel):
    agent_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]*$")
    kafka: KafkaSettings
    outbox: OutboxSettings
    metrics_host: str = Field(default="127.0.0.1", description="where /metrics listens")
    metrics_port: int = Field(default=9108, ge=0, le=65535, description="0 = no metrics server")
    heartbeat_every_s: float = Field(default=10.0, gt=0, le=3600)
    detectors: DetectorSettings = Field(default_factory=DetectorSettings)
    cameras: list[CameraConfig] = Field(min_length=1)

    @model_validator(mode="after")
    def _cameras(self) -> AgentConfig:
        ids = [c.id for c in self.cameras]
        if len(ids) != len(set(ids)):
            raise ValueError("camera ids must be unique")
        if any("ebike_indoor" in c.detectors for c in self.cameras) and self.detectors.ebike_model is None:
            raise ValueError("a camera runs ebike_indoor but detectors.ebike_model is not set")
        return self
