"""``site.yaml`` for ``sharpeyes run --embedded``: where the parts of a one-box site are configured.

Paths are relative to the site file. The edge agent keeps its own file (the same one an NVR box would
use with ``sharpeyes edge run``), as do the console accounts and the webhooks.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from pipeline.core.iot_rules import IotRulesConfig
from pipeline.core.policy import CasePolicy
from pipeline.core.sla import SlaConfig
from sharpeyes.config.camera import ConfigModel
from sharpeyes.config.loading import load_model


class ConsoleSection(ConfigModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    accounts: Path = Field(description="operator accounts YAML (scripts/console_accounts.py writes it)")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)


class EmbeddedSiteConfig(ConfigModel):
    registry: Path = Field(description="district directory")
    state_db: Path = Field(description="SQLite file: case state, projection, dead letters")
    agent: Path = Field(description="edge agent YAML: cameras, outbox, detectors")
    console: ConsoleSection
    webhooks: Path | None = Field(
        default=None, description="webhooks YAML (docs/webhooks.md); none: no delivery"
    )
    dedupe_ttl_s: float = Field(default=24 * 3600, gt=0)
    policy: CasePolicy = Field(default_factory=CasePolicy)
    sla: SlaConfig = Field(default_factory=SlaConfig)
    iot: IotRulesConfig = Field(default_factory=IotRulesConfig)


def load_site_config(path: Path) -> EmbeddedSiteConfig:
    config = load_model(EmbeddedSiteConfig, path)
    base = path.resolve().parent

    def here(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    console = config.console.model_copy(update={"accounts": here(config.console.accounts)})
    return config.model_copy(
        update={
            "registry": here(config.registry),
            "state_db": here(config.state_db),
            "agent": here(config.agent),
            "webhooks": here(config.webhooks) if config.webhooks is not None else None,
            "console": console,
        }
    )
