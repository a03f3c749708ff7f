"""``ClutterParams``: the defaults at another analysis width."""

from __future__ import annotations

from dataclasses import replace

from edge.rules.clutter import ClutterParams


def test_params_at_another_width_scale_distances_and_counts_from_the_values_tuned_at_320() -> None:
    """The defaults are ``at_width(480)``; ``at_width(320)`` gives back the rule up to session 28."""
    assert ClutterParams() == ClutterParams.at_width(480)
    old = ClutterParams.at_width(320)
    assert (old.width, old.bridge_px, old.moving_margin, old.shown_px, old.sharp_px) == (320, 4, 3, 8, 8)
    assert old.people.grow_px == 1
    wide = ClutterParams()
    # distances by 1.5 rounded up (a 4.5 px margin is 5), pixel counts by 1.5 squared
    assert (wide.bridge_px, wide.moving_margin, wide.people.grow_px) == (6, 5, 2)
    assert (wide.shown_px, wide.sharp_px) == (18, 18)
    assert replace(old, width=480, bridge_px=6, moving_margin=5, shown_px=18, sharp_px=18) == replace(
        wide, people=old.people
    )
