"""Smoke test of the hot-path benchmark: it runs end to end on a tiny size and prints its table.

No timing is asserted here: speed is measured by the benchmarks (RESULTS.md), never by unit tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TINY = ["--alerts", "300", "--max-state", "100", "--cells", "43", "--no-plot"]


def bench(script: str, *args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """Run ``benchmarks/<script>`` with ``args`` from the repository root, its output captured."""
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=REPO,
    )


@pytest.mark.slow
def test_hot_path_quick_prints_a_table() -> None:
    result = bench("hot_path.py", "--quick", *TINY, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("cells |"))
    rows = [line.split("|") for line in lines[header + 2 :] if line.count("|") >= 9]
    assert [(int(r[0]), int(r[1].replace(",", ""))) for r in rows] == [(43, 10)]
    p50, p99, per_s = float(rows[0][2]), float(rows[0][3]), float(rows[0][4].replace(",", ""))
    assert 0 < p50 <= p99 and per_s > 0  # measured, not placeholders
    assert rows[0][5].strip() in {"met", "MISSED"}
    assert "flat = about 1" in result.stdout


@pytest.mark.slow
@pytest.mark.kafka
def test_e2e_kafka_quick_runs_against_the_broker(kafka_bootstrap: str) -> None:
    """Guards the benchmark against API drift (it once called ensure_topics with an old signature)."""
    result = bench(
        "e2e_kafka.py", "--quick", "--seconds", "4", "--bootstrap", kafka_bootstrap, "--no-plot", timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {line.split("|")[0].strip(): line.split("|") for line in result.stdout.splitlines() if "|" in line}
    assert "raw baseline" in rows and "pipeline (1 worker)" in rows
    sent, answered = int(rows["pipeline (1 worker)"][2]), int(rows["pipeline (1 worker)"][3])
    assert sent > 0 and 0 < answered <= sent


@pytest.mark.slow
def test_edge_frame_quick_times_the_clutter_rule_at_its_width_and_the_baseline(tmp_path: Path) -> None:
    """The per-frame benchmark runs end to end and times the clutter rule at both widths on the same
    frames (the ratio RESULTS.md quotes for the analysis width)."""
    plot = tmp_path / "edge_frame.png"
    result = bench("edge_frame.py", "--quick", "--plot", str(plot), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("clutter rule at "))
    assert line.startswith("clutter rule at 480 px:") and "at 320 px (baseline, same frames)" in line
    ratio = float(line.rsplit("(", 1)[1].split("x")[0])
    assert ratio > 0  # measured, not a placeholder; its size is the benchmark's to report
    assert "knowing people:" in result.stdout and plot.stat().st_size > 0


@pytest.mark.slow
def test_edge_frame_quick_times_the_rule_against_its_masks_up_to_session_37(tmp_path: Path) -> None:
    """``--baseline-kept-mask`` times the rule up to session 37 at the rule's own width on the same
    frames: the cost of giving back the grown pixels of their own colour (RESULTS.md, session 38)."""
    plot = tmp_path / "edge_frame.png"
    result = bench("edge_frame.py", "--quick", "--baseline-kept-mask", "--plot", str(plot), timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("clutter rule at "))
    assert line.startswith("clutter rule at 480 px:")
    assert "the rule up to session 37 (baseline, same frames)" in line and " px (baseline" not in line
    assert float(line.rsplit("(", 1)[1].split("x")[0]) > 0
