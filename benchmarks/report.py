"""Write benchmarks/RESULTS.md from the last runs: a machine header, then one section per benchmark.

    python benchmarks/report.py        (benchmarks/run_all.sh runs the benchmarks, then this)

Each section: the command, the table as printed (benchmarks/results/<name>.txt), the plot, and the
hand-written analysis in benchmarks/notes/<name>.md (where the time goes; what a missed target means).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
NOTES = HERE / "notes"

SECTIONS = [
    (
        "Hot path",
        "hot_path",
        "python benchmarks/hot_path.py --json benchmarks/results/hot_path.json",
        "plots/hot_path.png",
    ),
    (
        "End to end through Kafka",
        "e2e_kafka",
        "python benchmarks/e2e_kafka.py --json benchmarks/results/e2e_kafka.json",
        "plots/e2e_latency.png",
    ),
]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in subprocess.run(
            ["lscpu"], capture_output=True, text=True, check=False
        ).stdout.splitlines():
            if line.startswith(("Model name", "Hypervisor vendor")):
                cpu = (
                    line.split(":", 1)[1].strip()
                    if cpu == "unknown CPU"
                    else f"{cpu}, {line.split(':', 1)[1].strip()}"
                )
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for mod in ("pydantic", "pydantic_core", "faust", "kafka", "aiokafka"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except (ImportError, AttributeError):
            continue
    load = (RESULTS / "load.txt").read_text().strip() if (RESULTS / "load.txt").exists() else "not recorded"
    return "\n".join(
        [
            f"- CPU: {cpu}, {os.cpu_count()} logical cores; {mem_gb:.0f} GB RAM; {platform.system()} "
            f"{platform.release()}",
            f"- Python {platform.python_version()} ({sys.implementation.name}); {', '.join(versions)}",
            "- Broker: Apache Kafka 3.9.1 (KRaft, single node, `scripts/kafka-local.sh`) on the same box",
            "- Load: the 2 cores were shared with other sessions (brokers, tests, video jobs) during the "
            "runs; "
            "the load averages at the start and end of each run:",
            "",
            "```",
            load,
            "```",
        ]
    )


def section(title: str, name: str, command: str, plot: str) -> str:
    table = RESULTS / f"{name}.txt"
    notes = NOTES / f"{name}.md"
    parts = [f"## {title}", "", f"Command: `{command}` (regenerate everything: `benchmarks/run_all.sh`)", ""]
    parts += ["```", table.read_text().rstrip() if table.exists() else "(not run yet)", "```", ""]
    if (HERE / plot).exists():
        parts += [f"![{title}]({plot})", ""]
    if notes.exists():
        parts += [notes.read_text().rstrip(), ""]
    return "\n".join(parts)


def main() -> None:
    out = [
        "# Benchmarks",
        "",
        "Quoted numbers are medians unless a column says otherwise; every ratio is against a baseline "
        "measured in the same run.",
        "",
        "## Machine",
        "",
        machine(),
        "",
    ]
    out += [section(*s) for s in SECTIONS]
    (HERE / "RESULTS.md").write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
