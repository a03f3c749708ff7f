"""Edge agent footprint: resident memory and CPU of one agent process with 16 cameras at 5 analysed fps.

    python benchmarks/edge_footprint.py [--quick] [--cameras 16] [--seconds 60]

Half the cameras watch a facade (throw detector), half a corridor (clutter rule), each reading its own
looped 640×360 clip at the clip's native 25 fps and analysing 5 fps, with the motion gate and the disk
outbox as in production; alerts go to a null producer (the broker is not what is measured). RSS is read
from /proc every second; CPU is the process's user+system time over the measured window. Target: ≤ 400 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from edge.agent import EdgeAgent
from edge.config import AgentConfig
from edge.synth.clip_files import write_clip
from edge.synth.corridor import write_corridor_set
from edge.synth.facade import SceneOptions, build_scene
from sharpeyes.config import CameraConfig, load_model

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


class _Sent:
    is_done = True
    exception = None

    def failed(self) -> bool:
        return False


class NullProducer:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, topic: str, value: bytes, key: bytes) -> _Sent:
        self.sent += 1
        return _Sent()

    def flush(self, timeout: float | None = None) -> None:
        return None

    def close(self, timeout: float | None = None) -> None:
        return None


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def clips(work: Path, seconds: float) -> tuple[CameraConfig, CameraConfig]:
    files = write_clip(
        build_scene(3, SceneOptions(width=640, height=360, fps=25.0, duration_s=seconds)), work / "facade"
    )
    facade = load_model(CameraConfig, files.camera).model_copy(update={"source": str(files.video.resolve())})
    truth = write_corridor_set(work / "corridor", 3, 1, max(30.0, seconds), 20.0, None)[0]
    corridor = load_model(
        CameraConfig, truth.parent / f"{truth.name.removesuffix('.truth.json')}.camera.yaml"
    )
    return facade, corridor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="8 cameras for 15 s (< 1 minute)")
    ap.add_argument("--cameras", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--fps", type=float, default=5.0, help="analysed frames per second per camera")
    ap.add_argument(
        "--malloc-arena-max",
        default="2",
        help="MALLOC_ARENA_MAX of the measured process, as the edge unit and image set it ('' = glibc's)",
    )
    args = ap.parse_args()
    if os.environ.get("MALLOC_ARENA_MAX", "") != args.malloc_arena_max:
        # glibc reads it at start-up: measure the process the way it is deployed
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
        if args.malloc_arena_max:
            env["MALLOC_ARENA_MAX"] = args.malloc_arena_max
        os.execve(sys.executable, [sys.executable, *sys.argv], env)  # noqa: S606 - re-runs this script
    n, seconds = (8, 15.0) if args.quick else (args.cameras, args.seconds)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"rendering two 30 s clips in {work} …", file=sys.stderr)
        # rendered in a child process, so the agent's process measures only the agent
        with ProcessPoolExecutor(1) as pool:
            facade, corridor = pool.submit(clips, work, 30.0).result()
        cameras: list[dict[str, Any]] = []
        for i in range(n):
            base = facade if i % 2 == 0 else corridor
            cameras.append(
                base.model_copy(update={"id": f"cam-fp-{i:02d}", "fps": args.fps}).model_dump(mode="json")
            )
        config = AgentConfig.model_validate(
            {
                "agent_id": "nvr-footprint",
                "kafka": {"bootstrap": "null"},
                "outbox": {"path": str(work / "outbox.db")},
                "metrics_port": 0,
                "cameras": cameras,
            }
        )
        producer = NullProducer()
        before = rss_mb()
        agent = EdgeAgent(config, producer_factory=lambda: producer, reader_options={"loop_files": True})
        agent.start()
        warmup: list[float] = []
        for _ in range(10):  # warm-up: readers open, backgrounds learned (sampled too: start-up peaks count)
            warmup.append(rss_mb())
            time.sleep(0.5)
        samples: list[float] = []
        t0, c0 = time.monotonic(), os.times()
        while time.monotonic() - t0 < seconds:
            samples.append(rss_mb())
            time.sleep(1.0)
        wall, c1 = time.monotonic() - t0, os.times()
        analysed = sum(s.analysed for s in agent.stats.values())
        agent.stop()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("cameras", f"{n} ({n // 2 + n % 2} facade, {n // 2} corridor), {args.fps:g} analysed fps each"),
        ("MALLOC_ARENA_MAX", os.environ.get("MALLOC_ARENA_MAX", "glibc default")),
        ("RSS before the agent", f"{before:.0f} MB"),
        ("RSS while running, median / max", f"{statistics.median(samples):.0f} / {max(samples):.0f} MB"),
        ("RSS during the 5 s start-up, max", f"{max(warmup):.0f} MB"),
        ("peak RSS of the process (kernel high-water mark)", f"{peak:.0f} MB"),
        (
            "CPU",
            f"{cpu / wall:.2f} cores ({100 * cpu / wall / (os.cpu_count() or 1):.0f} % of {os.cpu_count()})",
        ),
        ("alerts forwarded", str(producer.sent)),
        ("target ≤ 400 MB RSS", "met" if max(samples + warmup) <= 400 else "MISSED"),
    ]
    rows.insert(
        5,
        ("frames analysed per second, all cameras", f"{analysed / (wall + 5):.1f} (asked: {n * args.fps:g})"),
    )
    width = max(len(k) for k, _ in rows)
    table = "\n".join(f"| {k:<{width}} | {v} |" for k, v in rows)
    print(f"edge agent footprint, {seconds:.0f} s measured after a 5 s warm-up\n{table}")
    if not args.quick:
        section = (
            f"## Edge agent footprint\n\n`python benchmarks/edge_footprint.py --cameras {n} --seconds "
            f"{seconds:g}` — one agent process, {seconds:.0f} s measured after a 5 s warm-up; the machine "
            f"was shared with other work (see Machine).\n\n| measure | value |\n|---|---|\n{table}\n\n"
        )
        text = RESULTS.read_text(encoding="utf-8")
        start = text.find("## Edge agent footprint")
        if start >= 0:
            end = text.find("\n## ", start + 5)
            text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
        else:
            text = text.rstrip() + "\n\n" + section
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
