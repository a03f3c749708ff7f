"""The one entry point, ``sharpeyes``: a composition root that wires config to the edge and pipeline shells.

Subcommand groups are imported only when used, so an NVR box with ``sharpeyes[edge]`` (no faust)
can run ``sharpeyes edge …`` and still get a clear message for ``sharpeyes pipeline …``.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from sharpeyes.errors import ConfigError
from sharpeyes.logs import configure_logging

# name -> (module:attribute, one-line help, extra that provides it)
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {}


def register_lazy(name: str, target: str, help_text: str, extra: str) -> None:
    LAZY_COMMANDS[name] = (target, help_text, extra)


register_lazy("edge", "edge.cli:edge", "Edge agent on an NVR box: run it, or scan a video offline", "edge")
register_lazy("synth", "edge.cli:synth", "Synthetic scenes with ground truth (facade, corridor)", "edge")
register_lazy(
    "run", "sharpeyes.site.cli:run", "A small site on one box: run --embedded --config site.yaml", "dev"
)
register_lazy(
    "demo",
    "sharpeyes.demo.cli:demo",
    "The main job: cameras → edge → pipeline → cases, on the console",
    "dev",
)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        target, help_text, extra = LAZY_COMMANDS[cmd_name]
        if ctx.resilient_parsing or "--help" in sys.argv[1:2]:
            # `sharpeyes --help` lists lazily; import only when the command itself runs
            return click.Command(cmd_name, help=help_text, short_help=help_text)
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise click.ClickException(
                f"'sharpeyes {cmd_name}' needs the {extra} extra ({exc.name} is missing): "
                f"pip install 'sharpeyes[{extra}]'"
            ) from None
        command: click.Command = getattr(module, attr)
        return command


register_lazy(
    "pipeline", "pipeline.cli:pipeline", "Stream processors (Faust workers) against Kafka", "pipeline"
)
register_lazy(
    "webhooks",
    "pipeline.webhooks.cli:webhooks",
    "Deliver case events to the case system; re-drive dead letters",
    "pipeline",
)


@click.group(cls=LazyGroup)
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING, ERROR")
@click.option("--log-json/--no-log-json", default=False, help="one JSON object per log line")
def main(log_level: str, log_json: bool) -> None:
    """Sharp Eyes (雪亮工程) pipeline: edge detection → Kafka → cases for the grid."""
    configure_logging(log_level, json_lines=log_json)


@main.group()
def registry() -> None:
    """Inspect and validate a district (street → community → grid → building)."""


@registry.command("check")
@click.argument(
    "directory", type=click.Path(path_type=Path, file_okay=False), default="configs/district-demo"
)
def registry_check(directory: Path) -> None:
    """Load DIRECTORY and report what it holds, or the first problem with its file and id."""
    from sharpeyes.registry import load_registry

    try:
        reg = load_registry(directory)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{directory}: street {reg.street.id} ({reg.street.name}), {len(reg.communities)} communities, "
        f"{len(reg.grids)} grids, {len(reg.buildings)} buildings, {len(reg.cameras)} cameras, "
        f"{len(reg.devices)} IoT devices: OK"
    )


@main.command("schemas")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="write the JSON Schema files here (default: the package's schemas/)",
)
def schemas(out: Path | None) -> None:
    """Regenerate the wire contract's JSON Schema files from the models."""
    from sharpeyes.contract.schemas import SCHEMA_DIR, write_all

    for path in write_all(out or SCHEMA_DIR):
        click.echo(f"wrote {path}")


if __name__ == "__main__":
    main()
