"""``benchmarks/clutter_eval.py`` end to end: clips rendered and scored in worker processes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from benchmarks.clutter_eval import (
    TRUTH,
    add_mask_options,
    add_people_option,
    exact_people,
    mask_params,
    people_finder,
    people_shapes,
    score_clip,
)
from edge.detect import SessionPool
from edge.synth.corridor import write_corridor_clip

REPO = Path(__file__).resolve().parents[2]


def default_options() -> argparse.Namespace:
    """``clutter_eval.py``'s people and mask options as given by default."""
    parser = argparse.ArgumentParser()
    add_people_option(parser)
    add_mask_options(parser)
    return parser.parse_args([])


@pytest.mark.slow
def test_workers_score_each_clip_as_one_process_does(tmp_path: Path) -> None:
    """``--jobs 2`` renders and scores two short clips in two one-thread workers; each clip's line in
    ``--per-clip`` is what scoring that clip here, with the default threads, gives (bar the time), and
    ``--summarize`` of those lines prints the run's tables again."""
    scores = tmp_path / "scores.jsonl"
    run = [sys.executable, "benchmarks/clutter_eval.py", "--out", str(tmp_path / "clips"), "--seeds", "7"]
    run += ["--clips", "2", "--duration", "40", "--dwell", "10", "--jobs", "2"]
    run += ["--per-clip", str(scores), "--plot", str(tmp_path / "since.png")]
    result = subprocess.run(run, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode in (0, 1), result.stderr  # 1: a miss or a false alert, still a result
    assert "scored 2/2 clips" in result.stderr and "2 clips: precision" in result.stdout
    lines = [json.loads(line) for line in scores.read_text(encoding="utf-8").splitlines()]
    assert [line["clip"] for line in lines] == ["corridor-7-0", "corridor-7-1"]
    assert lines[0]["expected"] + lines[0]["hidden"] > 0  # the first clip has items to find

    # the saved scores give the same tables again, a clip in two files counted once
    again = [sys.executable, "benchmarks/clutter_eval.py", "--summarize", str(scores), str(scores)]
    again += ["--plot", str(tmp_path / "again.png")]
    summary = subprocess.run(again, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert summary.returncode == result.returncode, summary.stderr
    run_out, summary_out = result.stdout.splitlines(), summary.stdout.splitlines()
    table = run_out.index("") + 1  # the per-clip table follows the settings line
    assert summary_out[summary_out.index("") + 1 :] == [
        line.replace("seeds 7, 2 clips", "2 file(s), 2 clips").replace(str(tmp_path / "since.png"), "")
        + (str(tmp_path / "again.png") if line.startswith("plot: ") else "")
        for line in run_out[table:]
    ]

    args = default_options()
    people, shapes = people_finder(args.people), people_shapes(args.silhouettes)
    params = mask_params(args)
    for line in lines:
        here = score_clip(tmp_path / "clips" / f"{line['clip']}.truth.json", people, shapes, params)
        expected = json.loads(json.dumps(asdict(here)))
        assert {**line, "ms_per_frame": 0} == {**expected, "ms_per_frame": 0}


def test_the_models_load_into_the_pool_given() -> None:
    """A worker's one-thread pool is the one its models run in (an empty pool is falsy: ``len``)."""
    pool = SessionPool(intra_op_threads=1)
    args = default_options()
    assert people_finder(args.people, pool) is not None and len(pool) == 1
    assert people_shapes(args.silhouettes, pool) is not None and len(pool) == 2
    assert people_finder("none", pool) is None and people_shapes("none", pool) is None


def test_people_truth_knows_each_clips_people_instead_of_running_models(tmp_path: Path) -> None:
    """``--people truth`` loads no model: each clip's people come from its renderer."""
    assert people_finder(TRUTH) is None
    assert exact_people(default_options().people, clips=3) is None
    exact = exact_people(TRUTH, clips=3)
    assert exact is not None
    truth = write_corridor_clip(tmp_path, 7, 0, 3, 40.0, 10.0, video=False)
    assert exact(truth).renderer.people(20.0).any()  # seed 7's first clip has people at 20 s
