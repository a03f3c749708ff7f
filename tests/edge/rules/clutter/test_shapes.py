"""Masks at analysis size: a blur kept off people, parts joined across a person's legs."""

from __future__ import annotations

import cv2
import numpy as np

from edge.rules.clutter.shapes import blur_among, closed_parts


def test_blurred_among_the_pixels_nobody_stands_on_the_floor_beside_someone_keeps_its_colour() -> None:
    """The rule's blur carries a third or so of a person's colour into the floor pixels around them, so a
    standing person's edge holds still like a thing wherever their mask leaves it open (session 25's
    false alerts where talkers stood). Blurred among the free pixels, the floor beside them is floor, and
    the person is blurred as before."""
    image = np.full((12, 12, 3), (95.0, 110.0, 120.0), np.float32)
    person = np.zeros((12, 12), bool)
    person[2:10, 4:7] = True
    image[person] = (20.0, 20.0, 240.0)
    plain = cv2.GaussianBlur(image, (3, 3), 0)
    among = blur_among(image, ~person)
    beside = (cv2.dilate(person.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & ~person
    assert np.abs(plain[beside] - (95.0, 110.0, 120.0)).max() > 25.0  # the plain blur spoils them
    assert np.allclose(among[beside], (95.0, 110.0, 120.0), atol=1e-3)
    assert np.allclose(among[~person], np.full_like(among[~person], (95.0, 110.0, 120.0)), atol=1e-3)


def test_a_person_joins_an_items_pieces_between_their_legs_not_things_across_the_whole_of_them() -> None:
    """Regression (clip 8-0): what shows of an item beside and between someone's legs is one part; but a
    person spans far more than a leg's width. Across all of someone standing at the far end, a far item
    was joined to still pixels some 50 analysis pixels below it; the joined blob changed the item's box
    again and again while it stood in view, and it was never reported."""
    mask = np.zeros((80, 40), bool)
    mask[10:20, 10:14] = mask[10:20, 18:22] = True  # an item, a leg in front of it at columns 14-17
    mask[70:76, 10:20] = True  # something else, below the person
    person = np.zeros_like(mask)
    person[5:78, 14:18] = True  # a long, thin person from the item down to the other thing
    person[20:70, 12:20] = True
    assert len(closed_parts(mask)) == 3
    assert len(closed_parts(mask, bridge=person)) == 1  # across the whole of them
    parts = closed_parts(mask, bridge=person, reach=3)
    assert sorted((y, pixels.shape) for _x, y, _area, pixels in parts) == [(10, (10, 12)), (70, (6, 10))]
