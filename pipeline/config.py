"""``pipeline.yaml``: one validated, frozen config for a stream-processing worker."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from pipeline.core.iot_rules import IotRulesConfig
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import SlaConfig
from sharpeyes.config.camera import ConfigModel
from sharpeyes.config.loading import load_model
from sharpeyes.kafka_security import KafkaSecurity

DAY_MS = 24 * 3600 * 1000


class TopicRetention(ConfigModel):
    """How long the broker keeps each kind of topic; state (Faust changelogs) is compacted instead."""

    events_ms: int = Field(
        default=7 * DAY_MS, ge=-1, description="alerts, IoT events, updates, commands, health (-1: forever)"
    )
    cases_ms: int = Field(default=90 * DAY_MS, ge=-1, description="case events (the audit trail)")
    deadletter_ms: int = Field(default=30 * DAY_MS, ge=-1, description="dead letters, kept for redrive")
    min_insync_replicas: int | None = Field(
        default=None, ge=1, le=7, description="min.insync.replicas on every topic (cluster default if unset)"
    )


class KafkaConfig(ConfigModel):
    bootstrap: str = Field(default="127.0.0.1:19092", description="host:port[,host:port]")
    topic_prefix: str = Field(default="sharpeyes", pattern=r"^[A-Za-z0-9._-]+$")
    partitions: int = Field(default=4, ge=1, le=1024)
    replication_factor: int = Field(default=1, ge=1, le=7)
    retention: TopicRetention = Field(default_factory=TopicRetention)
    security: KafkaSecurity = Field(default_factory=KafkaSecurity, description="PLAINTEXT or SASL_SSL")


class WebConfig(ConfigModel):
    host: str = "127.0.0.1"
    port: int = Field(default=6066, ge=1, le=65535, description="/metrics and the worker's web views")


class PipelineConfig(ConfigModel):
    app_id: str = Field(default="sharpeyes-pipeline", pattern=r"^[A-Za-z0-9._-]+$")
    kafka: KafkaConfig = Field(default_factory=KafkaConfig)
    registry: Path = Field(
        default=Path("district-demo"), description="district directory, relative to this file"
    )
    data_dir: Path = Field(default=Path("/tmp/sharpeyes-pipeline"), description="worker scratch space")  # noqa: S108
    web: WebConfig = Field(default_factory=WebConfig)
    dedupe_ttl_s: float = Field(
        default=24 * 3600, gt=0, description="repeat alert_ids within this are dropped"
    )
    sla_tick_s: float = Field(default=30.0, gt=0, description="how often overdue cases are looked for")
    policy: CasePolicy = Field(default_factory=CasePolicy)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    iot: IotRulesConfig = Field(default_factory=IotRulesConfig)


def load_pipeline_config(path: Path) -> PipelineConfig:
    """Load and resolve relative paths against the config file's folder (where an operator expects)."""
    config = load_model(PipelineConfig, path)
    base = path.resolve().parent
    updates: dict[str, object] = {}
    if not config.registry.is_absolute():
        updates["registry"] = base / config.registry
    security = config.kafka.security.resolve_paths(base)
    if security is not config.kafka.security:
        updates["kafka"] = config.kafka.model_copy(update={"security": security})
    return config.model_copy(update=updates) if updates else config
