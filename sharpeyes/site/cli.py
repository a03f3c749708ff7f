"""``sharpeyes run --embedded --config site.yaml``: a small site on one box, until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from datetime import timedelta
from pathlib import Path

import click

from sharpeyes.errors import ConfigError


@click.command("run")
@click.option(
    "--embedded",
    is_flag=True,
    required=True,
    help="the embedded default: everything in this process (a city runs `pipeline run` workers)",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="site YAML (configs/site-embedded.yaml)",
)
def run(embedded: bool, config_path: Path) -> None:
    """Run the edge agent, the pipeline core, webhooks and the console of a one-box site."""
    from edge.config import AgentConfig
    from pipeline.console.app import ConsoleSettings
    from pipeline.console.auth import load_accounts
    from pipeline.webhooks.config import WebhooksConfig
    from sharpeyes.config.loading import load_model
    from sharpeyes.registry import load_registry
    from sharpeyes.site.config import load_site_config
    from sharpeyes.site.embedded import SiteParts

    try:
        site = load_site_config(config_path)
        parts = SiteParts(
            registry=load_registry(site.registry),
            db_path=str(site.state_db),
            agent_config=load_model(AgentConfig, site.agent),
            accounts=load_accounts(site.console.accounts),
            console_host=site.console.host,
            console_port=site.console.port,
            hooks=load_model(WebhooksConfig, site.webhooks) if site.webhooks else None,
            environ=dict(os.environ),
            policy=site.policy,
            sla=site.sla,
            iot=site.iot,
            dedupe_ttl=timedelta(seconds=site.dedupe_ttl_s),
            console_settings=ConsoleSettings(session_ttl=timedelta(hours=site.console.session_hours)),
        )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    summary = asyncio.run(_run(parts))
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))


async def _run(parts: object) -> dict[str, object]:
    from sharpeyes.site.embedded import EmbeddedSite, SiteParts

    assert isinstance(parts, SiteParts)  # noqa: S101 - built just above
    site = EmbeddedSite(parts)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await site.start()
    click.echo(f"console http://{parts.console_host}:{parts.console_port}/ ; state {parts.db_path}", err=True)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await stop.wait()
    finally:
        await site.stop()
    return site.summary()
