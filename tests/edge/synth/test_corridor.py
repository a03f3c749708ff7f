"""The corridor generator's ground truth: which items a camera could see come and stay."""

from __future__ import annotations

from edge.synth.corridor_scene import ANALYSED_FPS, Z_FAR, Z_NEAR, CorridorScene, Item, Lighting, Walker
from edge.synth.corridor_truth import ground_truth, item_sightings

STEADY = Lighting(0.0, 100.0, 0.0, 0.0, 100.0, 0.0)
BLUE = (30, 60, 170)


def two_people_standing_in_front(scene: CorridorScene, until_s: float) -> None:
    """Two people walk in from the far end and stand side by side at 5 m, in front of an item at 8 m in
    the middle of the corridor, from 3.75 s until ``until_s``."""
    for x_m in (-0.18, 0.18):
        arrive_s = (Z_FAR - 5.0) / 4.0
        scene.walkers.append(
            Walker(0.0, Z_FAR, Z_NEAR * 0.6, x_m, 4.0, (0, 0, 0), pause_z=5.0, pause_s=until_s - arrive_s)
        )


def test_an_item_put_down_behind_people_standing_is_first_seen_when_they_go() -> None:
    scene = CorridorScene(duration_s=45.0, fps=10.0, dwell_s=20.0, lighting=STEADY)
    two_people_standing_in_front(scene, until_s=13.75)
    scene.items += [
        Item("behind", 5.0, None, 0.0, 8.0, 0.4, 0.4, BLUE),  # put down while they stand in front
        Item("open", 20.0, None, 0.85, 5.5, 0.5, 0.5, BLUE),  # put down after they left
    ]
    seen = item_sightings(scene, render_seed=1, fps=ANALYSED_FPS)
    assert seen["behind"].first_s is not None and seen["behind"].first_s >= 13.75
    assert seen["open"].first_s == 20.0
    assert seen["behind"].last_s == seen["open"].last_s == 44.8  # both still there at the end
    # in view in every analysed frame from then on: of its 200 frames (5.0 s to 44.8 s), those from first_s
    first = seen["behind"].first_s
    assert seen["behind"].in_view == (round((44.8 - first) * ANALYSED_FPS) + 1) / 200
    assert seen["open"].in_view == 1.0

    truth = ground_truth(scene, "clip.mp4", "clip.camera.yaml", seen)
    items = {i["id"]: i for i in truth["items"]}  # type: ignore[attr-defined]
    # both stayed past the dwell; only the one in the open could be dated within 3 s of its placement
    assert items["behind"]["expect_alert"] and not items["behind"]["observable"]
    assert items["open"]["expect_alert"] and items["open"]["observable"]


def test_an_item_hidden_from_before_its_dwell_until_taken_away_is_not_observable() -> None:
    """Seen as it comes, then people stand in front of it past its dwell and it is taken away unseen:
    nobody could tell it stayed the dwell."""
    scene = CorridorScene(duration_s=60.0, fps=10.0, dwell_s=20.0, lighting=STEADY)
    scene.walkers.append(Walker(10.0, Z_FAR, Z_NEAR * 0.6, 0.0, 4.0, (0, 0, 0)))  # nobody stands yet
    scene.items.append(Item("taken", 1.0, 30.0, 0.0, 8.0, 0.4, 0.4, BLUE))
    for x_m in (-0.18, 0.18):  # from 12.75 s to 40 s
        scene.walkers.append(
            Walker(9.0, Z_FAR, Z_NEAR * 0.6, x_m, 4.0, (0, 0, 0), pause_z=5.0, pause_s=27.25)
        )
    seen = item_sightings(scene, render_seed=1, fps=ANALYSED_FPS)
    assert seen["taken"].first_s == 1.0
    assert seen["taken"].last_s is not None and seen["taken"].last_s < 1.0 + scene.dwell_s
    item = ground_truth(scene, "clip.mp4", "clip.camera.yaml", seen)["items"][0]  # type: ignore[index]
    assert item["expect_alert"] and not item["observable"]
