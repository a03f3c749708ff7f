"""``corridor_clutter``: something has stood in an escape route for longer than the zone's ``dwell_s``.

Model-free: each frame is compared with a learned empty corridor in a reference lighting
(``EmptyBackground``), and per pixel we keep what has stood still on it and since when (``Anchors``):
walking people never hold a pixel still, items do, and an item's anchor survives people passing or
standing in front of it. Pixels whose anchor is ``static_s`` old and was in view for most of the time
since it first showed form blobs; each blob is tracked by overlap as one *item* dated to when it was put
down, not when we noticed: each pixel says "after the floor last showed here, by the time I first
showed", and the item came where those spans overlap. Pixels of it that people hid for most of the time
since they first showed do not stand, but they still say when it came (a crowd that hid it from just
after it was put down would otherwise date it to when the crowd left). Two touching items set down
seconds apart are two items when both were seen to come (sharp spans) and their spans lie apart. A
neighbour people hid from when it came, which starts to stand only once an item beside it is tracked,
joins that item's blob dated to its own time: the blob hands the item's pixels back (``_hand_back``).

An item is reported once it has stood ``dwell_s`` and behaves like a thing, not like people: its blob
showed in nearly every frame, kept its box, did not show the empty floor through itself (traces of
passers-by at a busy far end do), is in view, and nothing is moving at it right now (the report waits
for a quiet frame; people the detector found are in front of it, and their motion does not count).
From its alert on, its pixels are its own: they never form a new blob, so a split or a re-detection
cannot alert twice, while a new item put down next to it still can. It is forgotten when its pixels
have shown the empty corridor ``hold_s`` on end (taken away). Optionally a detector must confirm the
blob.

With a person detector (``people``), people are known for what they are: what shows inside their boxes
never starts an item, and a person standing in front of an item counts like a passer-by (``Anchors``).
Without one the rule tells people from things by how they hold still alone, which a crowd at the far end
of a corridor defeats now and then (benchmarks/RESULTS.md). The detector only runs on frames where
something in the zones differs from the empty corridor.

The rule in modules: ``params`` (its tunables), ``rule`` (``ClutterRule``, the per-frame loop),
``people_mask`` (where people are), ``spans`` (when pixels came, and which came together), ``items``
(blobs, tracked items, why one waits), ``shapes`` (boxes and masks).
"""

from edge.rules.clutter.items import RegionPixels, RegionState, TrackedItem, Waits
from edge.rules.clutter.params import ClutterParams
from edge.rules.clutter.rule import ClutterRule, ItemConfirmer

__all__ = [
    "ClutterParams",
    "ClutterRule",
    "ItemConfirmer",
    "RegionPixels",
    "RegionState",
    "TrackedItem",
    "Waits",
]
