"""``WebhooksConfig``: endpoints, secrets, retry, breaker and Kafka settings of the dispatcher.

Frozen and strict like every config model. Secrets are ``SecretStr`` (they print as ``**********``)
or the names of environment variables; ``resolve_secrets`` reads them from a mapping the composition
root passes in, so the config itself does no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from pydantic import Field, SecretStr, field_validator, model_validator

from pipeline.webhooks.breaker import BreakerSettings
from pipeline.webhooks.errors import SecretFormatError
from pipeline.webhooks.retry import BackoffPolicy
from pipeline.webhooks.signing import WebhookSecret
from sharpeyes.config.camera import ConfigModel
from sharpeyes.contract import AlertKind, CaseEventType
from sharpeyes.errors import ConfigError


class PayloadFormat(StrEnum):
    JSON = "json"
    OPEN311 = "open311"


class SecretSource(ConfigModel):
    """``secrets``: ``whsec_…`` values inline; ``secret_env``: names of environment variables holding them.

    Several active secrets rotate a key: sign with (or accept) both until every peer has the new one.
    """

    secrets: list[SecretStr] = Field(default_factory=list, description="whsec_... values")
    secret_env: list[str] = Field(default_factory=list, description="environment variable names")

    @field_validator("secrets")
    @classmethod
    def _well_formed(cls, values: list[SecretStr]) -> list[SecretStr]:
        for value in values:
            try:
                WebhookSecret.parse(value.get_secret_value())
            except SecretFormatError as exc:
                raise ValueError(str(exc)) from None
        return values

    @model_validator(mode="after")
    def _some_secret(self) -> SecretSource:
        if not self.secrets and not self.secret_env:
            raise ValueError("give at least one of secrets or secret_env")
        return self


class EndpointConfig(SecretSource):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    url: str = Field(pattern=r"^https?://[^\s]+$", max_length=2048)
    event_types: list[CaseEventType] | None = Field(default=None, description="None: every event type")
    kinds: list[AlertKind] | None = Field(default=None, description="None: every alert kind")
    format: PayloadFormat = PayloadFormat.JSON
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    jurisdiction_id: str | None = Field(default=None, description="Open311 jurisdiction, format open311")


class RetryConfig(ConfigModel):
    initial_backoff_s: float = Field(default=1.0, gt=0, le=3600)
    multiplier: float = Field(default=2.0, ge=1.0, le=10)
    max_backoff_s: float = Field(default=300.0, gt=0, le=86_400)
    jitter: float = Field(default=0.5, ge=0.0, le=1.0, description="random share of each delay")
    max_attempts: int = Field(default=12, ge=1, le=1000)
    max_age_s: float = Field(default=86_400.0, gt=0, description="give up this long after the first attempt")

    def policy(self) -> BackoffPolicy:
        return BackoffPolicy(
            initial_s=self.initial_backoff_s,
            multiplier=self.multiplier,
            max_s=self.max_backoff_s,
            jitter=self.jitter,
            max_attempts=self.max_attempts,
            max_age_s=self.max_age_s,
        )


class BreakerConfig(ConfigModel):
    failure_threshold: int = Field(default=5, ge=1, le=1000)
    open_s: float = Field(default=30.0, gt=0, le=3600)
    probe_poll_s: float = Field(default=0.5, gt=0, le=60)

    def settings(self) -> BreakerSettings:
        return BreakerSettings(self.failure_threshold, self.open_s, self.probe_poll_s)


class KafkaConfig(ConfigModel):
    bootstrap_servers: str = "127.0.0.1:19092"
    topic_prefix: str = Field(default="sharpeyes", pattern=r"^[A-Za-z0-9._\-]+$")
    group_id: str = "sharpeyes-webhooks"
    redrive_group_id: str = "sharpeyes-webhooks-redrive"

    @property
    def cases_topic(self) -> str:
        return f"{self.topic_prefix}.cases"

    @property
    def updates_topic(self) -> str:
        return f"{self.topic_prefix}.cases.updates"

    @property
    def deadletter_topic(self) -> str:
        return f"{self.topic_prefix}.webhooks.deadletter"


class EvidenceLinksConfig(ConfigModel):
    """Signed, expiring URLs to snapshots on the pipeline's web server."""

    base_url: str = Field(pattern=r"^https?://[^\s]+$", description="e.g. https://pipeline.example/")
    secret: SecretStr | None = None
    secret_env: str | None = None
    ttl_s: float = Field(default=7 * 86_400.0, gt=0, le=366 * 86_400)

    @model_validator(mode="after")
    def _one_secret(self) -> EvidenceLinksConfig:
        if (self.secret is None) == (self.secret_env is None):
            raise ValueError("give exactly one of secret or secret_env")
        return self


class WebhooksConfig(ConfigModel):
    kafka: KafkaConfig = Field(default_factory=KafkaConfig)
    endpoints: list[EndpointConfig] = Field(min_length=1)
    retry: RetryConfig = Field(default_factory=RetryConfig)
    breaker: BreakerConfig = Field(default_factory=BreakerConfig)
    max_in_flight: int = Field(default=1000, ge=1, le=100_000, description="events read but not finished")
    max_concurrency: int = Field(default=16, ge=1, le=1000, description="HTTP requests at once")
    commit_interval_s: float = Field(default=0.5, gt=0, le=60)
    evidence: EvidenceLinksConfig | None = None
    district: str | None = Field(default=None, description="registry directory: addresses and lat/lon")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, description="Prometheus /metrics")
    metrics_host: str = "127.0.0.1"

    @field_validator("endpoints")
    @classmethod
    def _unique_names(cls, endpoints: list[EndpointConfig]) -> list[EndpointConfig]:
        names = [e.name for e in endpoints]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate endpoint names: {', '.join(duplicates)}")
        return endpoints


def resolve_secrets(source: SecretSource, environ: Mapping[str, str], where: str) -> list[WebhookSecret]:
    """Inline secrets then environment ones, parsed; a missing or malformed variable is a ConfigError."""
    found = [WebhookSecret.parse(s.get_secret_value()) for s in source.secrets]
    for name in source.secret_env:
        value = environ.get(name)
        if not value:
            raise ConfigError("environment", f"{where}.secret_env", f"variable {name} is not set")
        try:
            found.append(WebhookSecret.parse(value))
        except SecretFormatError as exc:
            raise ConfigError("environment", name, str(exc)) from None
    return found


def resolve_link_key(config: EvidenceLinksConfig, environ: Mapping[str, str]) -> bytes:
    if config.secret is not None:
        return config.secret.get_secret_value().encode()
    value = environ.get(config.secret_env or "")
    if not value:
        raise ConfigError("environment", "evidence.secret_env", f"variable {config.secret_env} is not set")
    return value.encode()
