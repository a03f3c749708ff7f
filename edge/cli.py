"""``sharpeyes edge …`` and ``sharpeyes synth …``: thin click shells over ``edge.scan`` and ``edge.synth``."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sharpeyes.errors import SharpEyesError
from sharpeyes.timefmt import EPOCH, parse_rfc3339

if TYPE_CHECKING:
    from edge.scan import ScanProgress


@click.group()
def edge() -> None:
    """Edge agent on an NVR box: scan a video offline."""


def _progress_printer(video: Path) -> Callable[[ScanProgress], None]:
    def show(p: ScanProgress) -> None:
        share = (
            f"{100 * p.frames_read / p.frames_total:.0f}%" if p.frames_total else f"{p.frames_read} frames"
        )
        fps = p.frames_analysed / p.elapsed_s if p.elapsed_s > 0 else 0.0
        click.echo(
            f"scan {video.name}: {share}, {p.frames_analysed} analysed ({fps:.0f} fps), {p.alerts} alerts",
            err=True,
        )

    return show


@edge.command("scan")
@click.argument("video", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--camera",
    "camera_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="camera config YAML (one camera)",
)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="alerts, one JSON line each",
)
@click.option(
    "--start", default="1970-01-01T00:00:00Z", show_default=True, help="wall time of frame 0, RFC 3339"
)
@click.option(
    "--model",
    "model",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="detector manifest for ebike_indoor, and the person detector of corridor_clutter "
    "(default: models/indoor/indoor-det-512.yaml)",
)
@click.option(
    "--model-free-clutter",
    is_flag=True,
    help="corridor_clutter without a person detector (tells people from things by how they hold still)",
)
@click.option(
    "--clutter-boxes",
    is_flag=True,
    help="corridor_clutter masks people's whole boxes, not the pixels the shipped person silhouette "
    "model (models/silhouette) says they show",
)
def scan(
    video: Path,
    camera_file: Path,
    out_file: Path,
    start: str,
    model: Path | None,
    model_free_clutter: bool,
    clutter_boxes: bool,
) -> None:
    """Run one camera config over VIDEO and write every alert as one JSON line."""
    from edge.analyzers import DEFAULT_SILHOUETTE_MANIFEST
    from edge.scan import scan_video
    from sharpeyes.config import CameraConfig, load_model

    try:
        start_at: datetime = parse_rfc3339(start) if start else EPOCH
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--start") from None
    try:
        camera = load_model(CameraConfig, camera_file)
        with out_file.open("wb") as out:
            summary = scan_video(
                video,
                camera,
                out,
                start_at,
                progress=_progress_printer(video),
                model=model,
                clutter_people=not model_free_clutter,
                silhouettes=None if clutter_boxes else DEFAULT_SILHOUETTE_MANIFEST,
            )
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"{summary.alerts} alert(s) from {summary.frames_read} frames in {summary.seconds:.1f} s → {out_file}"
    )


@click.group()
def synth() -> None:
    """Synthetic scenes with ground truth (facade, corridor, elevator), and labelled stills for training."""


@synth.command("facade")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--duration", default=40.0, show_default=True, type=click.FloatRange(1.0, 3600.0), help="seconds"
)
@click.option("--width", default=1280, show_default=True, type=click.IntRange(160, 3840))
@click.option("--height", default=720, show_default=True, type=click.IntRange(120, 2160))
@click.option("--fps", default=25.0, show_default=True, type=click.FloatRange(1.0, 60.0))
@click.option("--falls/--no-falls", default=True, help="--no-falls: distractor-only footage")
@click.option("--distractors/--no-distractors", default=True)
@click.option(
    "--perspective",
    type=click.Choice(["seed", "on", "off"]),
    default="seed",
    show_default=True,
    help="a camera looking up at the facade",
)
def facade(
    out_dir: Path,
    seed: int,
    duration: float,
    width: int,
    height: int,
    fps: float,
    falls: bool,
    distractors: bool,
    perspective: str,
) -> None:
    """A facade clip with objects thrown from windows, its camera config and its ground truth."""
    from edge.synth.clip_files import write_clip
    from edge.synth.facade import SceneOptions, build_scene

    opts = SceneOptions(
        width=width,
        height=height,
        fps=fps,
        duration_s=duration,
        falls=falls,
        distractors=distractors,
        perspective=None if perspective == "seed" else perspective == "on",
    )
    scene = build_scene(seed, opts)
    try:
        files = write_clip(scene, out_dir)
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"video  {files.video}\ncamera {files.camera}\ntruth  {files.truth}")
    click.echo(
        f"{len(scene.flights)} fall(s), {scene.building.floors} floors; scan it with:\n"
        f"  sharpeyes edge scan {files.video} --camera {files.camera} --out {out_dir}/alerts.jsonl"
    )


def _stills_progress(scene: str, started: float) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        rate = done / max(time.monotonic() - started, 1e-6)
        click.echo(f"{scene} stills: {done}/{total} ({rate:.1f}/s)", err=True)

    return show


def _write_stills(out_dir: Path, scene: str, seed: int, count: int) -> None:
    from edge.synth.stills import write_stills

    started = time.monotonic()
    present = write_stills(out_dir, scene, seed, count, _stills_progress(scene, started))
    click.echo(f"wrote {count} {scene} stills to {out_dir} in {time.monotonic() - started:.0f} s")
    click.echo(
        "pictures with: " + ", ".join(f"{cls} {100 * n / max(count, 1):.0f}%" for cls, n in present.items())
    )


STILLS_HELP = "write K labelled stills (YOLO layout, 10% val) instead of clips"


@synth.command("elevator")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--stills", type=click.IntRange(1, 1_000_000), default=None, help=STILLS_HELP)
@click.option("--clips", default=3, show_default=True, type=click.IntRange(1, 1000))
def elevator(out_dir: Path, seed: int, stills: int | None, clips: int) -> None:
    """Lift-car clips (doors open, an e-bike, a bicycle, a stroller, people or parcels come in, stay and
    leave) with camera YAML and ground truth; or, with --stills, a labelled training set."""
    if stills is not None:
        _write_stills(out_dir, "elevator", seed, stills)
        return
    from edge.synth.elevator import write_elevator_set

    started = time.monotonic()

    def progress(name: str, fraction: float) -> None:
        click.echo(f"{name}: {fraction:4.0%}", err=True)

    try:
        written = write_elevator_set(out_dir, seed, clips, progress)
    except SharpEyesError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {len(written)} clips in {time.monotonic() - started:.0f} s", err=True)
    for files in written:
        click.echo(f"{files.video}  {files.camera.name}  {files.truth.name}")


@synth.command("corridor")
@click.option("--out", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--stills", type=click.IntRange(1, 1_000_000), default=None, help=STILLS_HELP)
@click.option("--clips", default=3, show_default=True, type=click.IntRange(1, 100))
@click.option(
    "--duration", default=150.0, show_default=True, type=click.FloatRange(30, 3600), help="seconds per clip"
)
@click.option("--dwell", default=20.0, show_default=True, type=click.FloatRange(2, 3600), help="zone dwell_s")
@click.pass_context
def corridor(
    ctx: click.Context, out: Path, seed: int, stills: int | None, clips: int, duration: float, dwell: float
) -> None:
    """Corridor clips (people, items placed and removed, light drift) with camera YAML and truth; or, with
    --stills, a labelled training set seen by the same camera."""
    if stills is not None:
        _write_stills(out, "corridor", seed, stills)
        return
    from edge.agent_cli import corridor as corridor_clips

    ctx.invoke(corridor_clips, out=out, seed=seed, clips=clips, duration=duration, dwell=dwell)


def _attach_agent_commands() -> None:
    """``edge run`` lives with the agent; attach it to this group."""
    from edge.agent_cli import run

    edge.add_command(run)


_attach_agent_commands()
