"""Click commands for the lead to attach: ``edge run`` (the agent) and ``synth corridor`` (test clips).

edge_group.add_command(run)          # sharpeyes edge run --config FILE
synth_group.add_command(corridor)    # sharpeyes synth corridor --out DIR --seed N
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from types import FrameType

import click

from edge.config import AgentConfig
from sharpeyes.config import load_model
from sharpeyes.errors import SharpEyesError


@click.command("run")
@click.option("--config", "config_path", required=True, type=click.Path(path_type=Path, dir_okay=False))
def run(config_path: Path) -> None:
    """Run the edge agent on an NVR box until SIGINT/SIGTERM (or until every file source has ended)."""
    from edge.agent import EdgeAgent

    try:
        config = load_model(AgentConfig, config_path)
        agent = EdgeAgent(config)
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    metrics = f"http://{config.metrics_host}:{config.metrics_port}/metrics" if config.metrics_port else "off"
    click.echo(
        f"edge agent {config.agent_id}: {len(config.cameras)} cameras, outbox {config.outbox.path}, "
        f"metrics {metrics}",
        err=True,
    )
    agent.run_until(stop)


@click.command("corridor")
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--clips", default=3, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--duration", default=150.0, show_default=True, type=click.FloatRange(30, 3600), help="seconds per clip"
)
@click.option("--dwell", default=20.0, show_default=True, type=click.FloatRange(2, 3600), help="zone dwell_s")
def corridor(out: Path, seed: int, clips: int, duration: float, dwell: float) -> None:
    """Synthetic corridor clips (people, items placed and removed, light drift) with camera YAML and truth."""
    from edge.synth.corridor import write_corridor_set

    started = time.monotonic()

    def progress(name: str, fraction: float) -> None:
        click.echo(f"\r{name}: {fraction:4.0%}", nl=False, err=True)

    truths = write_corridor_set(out, seed, clips, duration, dwell, progress)
    click.echo(f"\rwrote {len(truths)} clips in {time.monotonic() - started:.0f}s", err=True)
    for truth in truths:
        click.echo(str(truth))
