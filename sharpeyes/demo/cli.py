"""``sharpeyes demo``: generate clips, run the edge agent on them, the pipeline, a case-system receiver
and the console; print where to look, then a summary."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from sharpeyes.errors import ConfigError, SharpEyesError


@click.command("demo")
@click.option(
    "--duration",
    type=click.FloatRange(5, 86_400),
    default=None,
    help="seconds to run (default: until Ctrl-C)",
)
@click.option(
    "--speed",
    type=click.FloatRange(0.25, 16),
    default=1.0,
    show_default=True,
    help="play the clips this many times faster than real time",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out/demo"),
    show_default=True,
    help="clips, outbox and state go here",
)
@click.option(
    "--district",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("configs/district-demo"),
    show_default=True,
)
@click.option(
    "--port", "console_port", type=int, default=8080, show_default=True, help="console port (127.0.0.1)"
)
@click.option("--seed", type=int, default=11, show_default=True, help="scene generator seed")
@click.option("--clip-seconds", "clip_s", type=click.FloatRange(20, 600), default=60.0, show_default=True)
@click.option("--user", "username", default="demo", show_default=True, help="console account of this run")
@click.option("--password", default=None, help="console password (default: a random one, printed)")
@click.option(
    "--kafka",
    default=None,
    metavar="HOST:PORT",
    help="run through a real broker and a Faust worker (topics get a fresh prefix per run)",
)
def demo(
    duration: float | None,
    speed: float,
    out: Path,
    district: Path,
    console_port: int,
    seed: int,
    clip_s: float,
    username: str,
    password: str | None,
    kafka: str | None,
) -> None:
    """The main job on the embedded default: synthetic cameras → edge agent → pipeline → cases."""
    from sharpeyes.demo.run import DemoOptions, run_demo
    from sharpeyes.registry import load_registry

    try:
        registry = load_registry(district)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    opts = DemoOptions(
        out=out,
        district=district,
        duration_s=duration,
        speed=speed,
        console_port=console_port,
        seed=seed,
        clip_s=clip_s,
        username=username,
        password=password,
    )
    say = lambda line: click.echo(line, err=True)  # noqa: E731
    try:
        if kafka is None:
            summary = asyncio.run(run_demo(opts, registry, say))
        else:
            from sharpeyes.demo.distributed import run_distributed_demo

            summary = asyncio.run(run_distributed_demo(opts, registry, kafka, say))
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
        return
    click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
