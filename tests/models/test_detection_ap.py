"""The AP used in benchmarks/detector_eval.py, on cases small enough to work out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.detection_ap import average_precision, best_f1_threshold, match


@pytest.mark.parametrize(
    ("scores", "is_tp", "n_truth", "expected"),
    [
        pytest.param([0.9, 0.8], [True, True], 2, 1.0, id="all-found-no-false-positive"),
        pytest.param([0.9], [True], 2, 0.5, id="half-found"),
        # ranks: FP, TP -> precision at recall 1 is 1/2
        pytest.param([0.9, 0.8], [False, True], 1, 0.5, id="false-positive-ranked-first"),
        # TP, FP, TP over 2 truths: recall 0.5 at p=1, recall 1 at p=2/3
        pytest.param([0.9, 0.8, 0.7], [True, False, True], 2, 0.5 * 1 + 0.5 * 2 / 3, id="envelope"),
        # TP, FP, FP, TP over 3 truths: envelope takes p=1 to r=1/3, then p=1/2 to r=2/3; r=1 never reached
        pytest.param([4, 3, 2, 1], [True, False, False, True], 3, 1 / 3 + 1 / 3 * 0.5, id="recall-short"),
        pytest.param([0.5, 0.4], [False, False], 3, 0.0, id="nothing-right"),
        pytest.param([], [], 2, 0.0, id="no-detections"),
        # order of input rows does not matter, only scores do
        pytest.param([0.7, 0.9, 0.8], [True, True, False], 2, 0.5 + 0.5 * 2 / 3, id="unsorted-input"),
    ],
)
def test_average_precision_by_hand(
    scores: list[float], is_tp: list[bool], n_truth: int, expected: float
) -> None:
    got = average_precision(np.array(scores, float), np.array(is_tp, bool), n_truth)
    assert got == pytest.approx(expected)


def test_no_ground_truth_is_undefined_not_zero() -> None:
    assert math.isnan(average_precision(np.array([0.9]), np.array([False]), 0))


BOX = [10.0, 10.0, 50.0, 50.0]


@pytest.mark.parametrize(
    ("pred", "scores", "truth", "expected"),
    [
        pytest.param([BOX], [0.9], [BOX], [True], id="exact"),
        pytest.param([[10, 10, 50, 91]], [0.9], [BOX], [False], id="iou-just-below-half"),
        pytest.param([[10, 10, 50, 90]], [0.9], [BOX], [True], id="iou-exactly-half"),
        pytest.param([[10, 10, 50, 70]], [0.9], [BOX], [True], id="iou-two-thirds"),
        pytest.param([BOX, BOX], [0.5, 0.9], [BOX], [False, True], id="duplicate-lower-score-is-fp"),
        pytest.param([BOX], [0.9], [], [False], id="no-truth"),
        pytest.param(
            [BOX, [60, 60, 90, 90]], [0.9, 0.8], [[60, 60, 90, 90], BOX], [True, True], id="two-objects"
        ),
    ],
)
def test_match(
    pred: list[list[float]], scores: list[float], truth: list[list[float]], expected: list[bool]
) -> None:
    got = match(np.array(pred, float).reshape(-1, 4), np.array(scores), np.array(truth, float).reshape(-1, 4))
    assert got.tolist() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0, 1), st.booleans()), max_size=30),
    st.integers(0, 10),
)
def test_ap_is_a_fraction_and_ignores_row_order(rows: list[tuple[float, bool]], extra: int) -> None:
    scores = np.array([r[0] for r in rows], float)
    hits = np.array([r[1] for r in rows], bool)
    n_truth = int(hits.sum()) + extra
    if n_truth == 0:
        return
    ap = average_precision(scores, hits, n_truth)
    assert 0.0 <= ap <= 1.0
    if len(set(scores.tolist())) == len(scores):  # ties keep input order, so only distinct scores commute
        order = np.random.default_rng(0).permutation(len(rows))
        assert average_precision(scores[order], hits[order], n_truth) == pytest.approx(ap)
    if extra == 0 and hits.all():
        assert ap == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("scores", "is_tp", "n_truth", "expected"),
    [
        # keeping the top two gives p=1, r=2/3 (F1 0.8); all four: p=3/4, r=1 (F1 0.857)
        pytest.param([0.9, 0.8, 0.7, 0.6], [True, True, False, True], 3, (0.6, 0.75, 1.0), id="take-all"),
        # a false positive at the bottom is cut
        pytest.param([0.9, 0.8, 0.3], [True, True, False], 2, (0.8, 1.0, 1.0), id="cut-the-tail"),
        # equal scores stand or fall together
        pytest.param([0.9, 0.5, 0.5], [True, False, True], 2, (0.5, 2 / 3, 1.0), id="ties"),
        pytest.param([0.9, 0.04], [True, True], 2, (0.9, 1.0, 0.5), id="floor-ignores-below"),
    ],
)
def test_best_f1_threshold(
    scores: list[float], is_tp: list[bool], n_truth: int, expected: tuple[float, float, float]
) -> None:
    got = best_f1_threshold(np.array(scores), np.array(is_tp, bool), n_truth)
    assert got == pytest.approx(expected)
