"""How ``benchmarks/clutter_eval.py`` scores a clip's alerts against its truth, hidden items included."""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from benchmarks.clutter_eval import Reported, add_mask_options, by_in_view, mask_params, score_alerts
from edge.rules.clutter import ClutterParams


def item(
    id_: str, placed_s: float, bbox: list[float], observable: bool = True, removed_s: float | None = None
) -> dict[str, Any]:
    return {
        "id": id_,
        "placed_s": placed_s,
        "removed_s": removed_s,
        "bbox": bbox,
        "expect_alert": True,
        "observable": observable,
        "first_seen_s": placed_s if observable else placed_s + 8.0,
        "last_seen_s": 100.0,
    }


LEFT = [100.0, 200.0, 140.0, 240.0]
RIGHT = [300.0, 200.0, 340.0, 240.0]
FAR = [200.0, 160.0, 220.0, 180.0]
TRUTH = {
    "items": [
        item("seen", 10.0, LEFT),
        item("missed", 20.0, RIGHT),
        item("hidden", 30.0, FAR, observable=False, removed_s=90.0),
        {**item("short", 40.0, RIGHT), "expect_alert": False},
    ]
}


def test_hits_misses_and_false_alerts_on_items_a_camera_could_see() -> None:
    score = score_alerts(
        "clip",
        TRUTH,
        [
            Reported((105.0, 205.0, 135.0, 235.0), 11.0, 31.0),  # the seen item, dated 1 s late
            Reported((105.0, 205.0, 135.0, 235.0), 11.2, 40.0),  # a second alert for it
            Reported((305.0, 205.0, 335.0, 235.0), 26.0, 46.0),  # at the missed one, 6 s late
        ],
    )
    assert (score.tp, score.fp, score.fn, score.pile) == (1, 2, 1, 0)
    assert (score.expected, score.hidden, score.excused, score.hidden_found) == (3, 1, 0, 0)
    assert score.since_errors == [1.0]


def test_an_alert_at_a_hidden_item_is_excused_and_found_only_within_the_tolerance() -> None:
    late = score_alerts("clip", TRUTH, [Reported((202.0, 162.0, 218.0, 178.0), 38.0, 58.0)])
    assert (late.tp, late.fp, late.excused, late.hidden_found) == (0, 0, 1, 0)
    on_time = score_alerts("clip", TRUTH, [Reported((202.0, 162.0, 218.0, 178.0), 31.0, 51.0)])
    assert (on_time.excused, on_time.hidden_found) == (1, 1)
    # dated before it came (beyond the tolerance) or after it was gone: a false alert
    early = score_alerts("clip", TRUTH, [Reported((202.0, 162.0, 218.0, 178.0), 20.0, 40.0)])
    assert (early.fp, early.excused) == (1, 0)


def test_items_set_down_together_may_be_one_alert() -> None:
    truth = {"items": [item("a", 10.0, LEFT), item("b", 11.0, [138.0, 200.0, 170.0, 240.0])]}
    score = score_alerts("clip", truth, [Reported((100.0, 200.0, 170.0, 240.0), 10.5, 31.0)])
    assert (score.tp, score.pile, score.fp, score.fn) == (1, 1, 0, 0)


def test_the_mask_options_default_to_the_rule_and_give_session_24s_rule_back() -> None:
    """``--grow-chance none --no-blur-among-free`` is the documented way back to the rule up to session 25."""
    parser = argparse.ArgumentParser()
    add_mask_options(parser)
    default = mask_params(parser.parse_args([]))
    assert default == ClutterParams()
    assert default.people.grow_chance == 0.05 and default.blur_among_free
    old = mask_params(parser.parse_args(["--grow-chance", "none", "--no-blur-among-free"]))
    assert old.people.grow_chance is None and not old.blur_among_free
    assert replace(old, blur_among_free=True, people=replace(old.people, grow_chance=0.05)) == default
    assert mask_params(parser.parse_args(["--grow-chance", "0.1"])).people.grow_chance == 0.1
    assert default.keep_apart and not mask_params(parser.parse_args(["--no-keep-apart"])).keep_apart
    narrow = mask_params(parser.parse_args(["--width", "320"]))
    assert narrow == ClutterParams.at_width(320) and narrow.bridge_px < default.bridge_px
    plain = mask_params(parser.parse_args(["--no-lookback-skips-people"]))
    assert default.anchors.lookback_skips_people and not plain.anchors.lookback_skips_people
    assert replace(plain, anchors=default.anchors) == default
    threshold = mask_params(parser.parse_args(["--sure-chance", "0.5"]))
    assert default.people.sure_chance == 0.9 and threshold.people.sure_chance == 0.5
    quarter = mask_params(parser.parse_args(["--glimpse-kept", "0.25"]))  # the gate up to session 33
    assert default.glimpse_kept == 0.1 and quarter.glimpse_kept == quarter.glimpse == 0.25
    assert replace(quarter, glimpse_kept=0.1) == default
    mixing = mask_params(parser.parse_args(["--mix-tolerance", "10"]))  # the candidate of session 36
    assert default.people.mix_tolerance is None and mixing.people.mix_tolerance == 10.0
    assert replace(mixing, people=replace(mixing.people, mix_tolerance=None)) == default
    kept = mask_params(parser.parse_args(["--distinct-tolerance", "none", "--piece-holds", "none"]))
    assert default.people.distinct_tolerance == 15.0 and default.piece_holds == 0.5  # since session 38
    assert kept.people.distinct_tolerance is None and kept.piece_holds is None  # the rule up to session 37
    assert replace(kept, piece_holds=0.5, people=replace(kept.people, distinct_tolerance=15.0)) == default


def test_items_are_counted_by_the_share_of_their_stay_they_were_in_view() -> None:
    """The summary tells items people passed (in view nearly all their stay) from those they hid."""
    truth = {
        "items": [
            {**item("seen", 10.0, LEFT), "in_view": 0.95},
            {**item("missed", 20.0, RIGHT), "in_view": 0.4},
            {**item("hidden", 30.0, FAR, observable=False, removed_s=90.0), "in_view": 0.1},
            {**item("whole", 50.0, [100.0, 300.0, 140.0, 340.0]), "in_view": 1.0},
        ]
    }
    alerts = [
        Reported((100.0, 200.0, 140.0, 240.0), 10.5, 31.0),
        Reported((100.0, 300.0, 140.0, 340.0), 50.0, 71.0),
    ]
    score = score_alerts("clip", truth, alerts)
    assert sorted(score.in_view) == [(0.4, False), (0.95, True), (1.0, True)]  # hidden items left out
    assert by_in_view([score], (0.5, 0.8)) == [("0%–50%", 1, 0), ("50%–80%", 0, 0), ("80%–100%", 2, 2)]
    older = score_alerts("clip", TRUTH, alerts[:1])  # a truth written before items had ``in_view``
    assert by_in_view([older], (0.5,))[-1] == ("unknown", 2, 1)
