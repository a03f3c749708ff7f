"""Per pixel: what has stood still on it, since when, and how much of that time it was in view.

Each pixel keeps a *pending* value (what it shows now, with since when it has shown it) and an *anchor*:
a pending value that has held still for ``establish_s`` while differing from the empty corridor, dated
to when it started to hold still. Walking people never hold a pixel still that long (legs swing, bodies
move), so they never make anchors; items do, dated to their placement.

The anchor survives occlusion: while the pixel shows something else (a passer-by, someone standing in
front) it is kept, with its date; ``seen_s`` (in view or behind someone walking) stops growing only
while something else stands still on it. If something else holds still on the pixel long enough, it
becomes the anchor and the old one is kept aside; when the old one shows again (the person in front has
left) it is restored with its date. There is room for one aside: when people stand in front of an item
in turn, the next one pushes out the person before them, not the item. An anchor is dropped when the
pixel has shown the empty corridor for ``gone_s`` on end (the item was taken away), or when the rule
``forget``s it (a ghost taken into the background; the rest of a reported item taken away while someone
stood over part of it).

Where a person detector runs, the pixels inside people's boxes may be people. An anchor that comes up
inside a person's box is *unproven*: it does not stand (``static``) until it has shown itself with no
person over it for ``proven_s`` (a thing a person set down, or one seen between people in a crowd, soon
does; a person who stopped never does: once they walk on, their pixels show something else). The time a
person hides an anchor (the one standing, or the one aside while they stand in front of it) counts like
time behind a passer-by, and neither shows the anchor there nor gone: the floor showing ``gone_s`` on end
may be interrupted by people passing.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np

from edge.rules.background import Foreground, channel_max_absdiff


@dataclass(frozen=True)
class AnchorParams:
    match: float = 14.0  # grey levels within which a pixel shows the same thing
    establish_s: float = 1.5  # still this long (and not empty floor): an anchor
    gone_s: float = 2.5  # empty floor this long: the anchor is gone
    behind_walker: float = 0.5  # credit for time hidden by someone walking past, against in view
    follow: float = 0.1  # per matching frame, an anchor follows what it shows (residual light drift)
    history_every_s: float = 0.5
    # how far back a new anchor is dated: an item put down just before people stood talking in front of
    # it for half a minute first showed before they came (kept for the zones' pixels only)
    history_s: float = 60.0
    # an anchor that came up on a person stands once in view this long without one (a detector misses a
    # standing person for a frame or a few now and then; for longer when someone walks in front of
    # them, and then ``PeopleHold`` keeps their box)
    proven_s: float = 1.0
    # where both anchors came up on people and are unproven (a talker's, and an item seen only under
    # people's mask), a third value coming up under a person waits instead of pushing the one aside out
    crowded_waits: bool = True
    # the look-back does not take a pixel a person's silhouette covered (ungrown: the floor showing
    # between and beside legs stays open) for the new value showing: a passer-by, or whoever carries the
    # item in, dressed in its colour is not the item come early (RESULTS.md, sessions 30–32; on by
    # default since session 32)
    lookback_skips_people: bool = True


@dataclass(frozen=True)
class Standing:
    """Pixels where something has stood (``mask``) and, per pixel, for the anchor that qualifies: when
    it came (``since``), when the empty floor last showed there before it (``floor_s``, NaN if not
    within the look-back) and when it first showed itself (``shown_s``). It came between the last two."""

    mask: np.ndarray
    since: np.ndarray
    floor_s: np.ndarray
    shown_s: np.ndarray
    # the anchor that qualifies is what the pixel shows now (not when it is the older one, put aside by
    # something standing in front of it: a person who stopped there, maybe the one who took it away)
    shows: np.ndarray


@dataclass(frozen=True)
class AnchorLayer:
    """One of a window's two anchors per pixel (NaN or False where it holds none): when it came, when the
    floor last showed before it, when it first showed, the share of the time since that it was in view
    (``presence`` asks for half), whether it came up on a person and is not yet proven, and its colour."""

    valid: np.ndarray
    since: np.ndarray
    floor_s: np.ndarray
    shown_s: np.ndarray
    in_view: np.ndarray
    unproven: np.ndarray
    value: np.ndarray  # (h, w, 3)


class Anchors:
    def __init__(
        self, shape: tuple[int, int], params: AnchorParams | None = None, region: np.ndarray | None = None
    ) -> None:
        """``region``: the pixels anchors matter on (the zones); only they are kept in the look-back."""
        self.params = params or AnchorParams()
        h, w = shape
        self._region = np.ones((h, w), bool) if region is None else np.asarray(region, bool)
        self._region_index = np.full((h, w), -1, np.int64)  # a pixel's place in a look-back frame
        self._region_index[self._region] = np.arange(int(self._region.sum()))
        self._pending = np.zeros((h, w, 3), np.float32)
        self._pending_since = np.zeros((h, w), np.float32)
        self.value = np.zeros((h, w, 3), np.float32)
        self.valid = np.zeros((h, w), bool)
        self.since = np.zeros((h, w), np.float32)
        self.seen_s = np.zeros((h, w), np.float32)
        self.shown_s = np.zeros((h, w), np.float32)  # first showed itself (since: when it came)
        self.floor_s = np.full((h, w), np.nan, np.float32)  # the empty floor last showed before it
        # came up on a person: still to be seen this long with nobody over it (0: stands as a thing)
        self.unproven_s = np.zeros((h, w), np.float32)
        self._person_s = np.full((h, w), -np.inf, np.float32)  # when a person's box was last over it
        self.matches = np.zeros((h, w), bool)
        self.changed = np.zeros((h, w), bool)  # shows something else than a moment ago: motion
        self._aside = np.zeros((h, w, 3), np.float32)
        self._aside_valid = np.zeros((h, w), bool)
        self._aside_since = np.zeros((h, w), np.float32)
        self._aside_seen = np.zeros((h, w), np.float32)
        self._aside_shown = np.zeros((h, w), np.float32)
        self._aside_floor = np.full((h, w), np.nan, np.float32)
        self._aside_unproven = np.zeros((h, w), np.float32)
        self._floor_s = np.zeros((h, w), np.float32)
        self._last_t: float | None = None
        # every ``history_every_s``: when, the region's colours, and which of its pixels people's
        # silhouettes covered, a bit per pixel (None: not known)
        self._history: deque[tuple[float, np.ndarray, np.ndarray | None]] = deque(
            maxlen=max(2, round(self.params.history_s / self.params.history_every_s))
        )

    def update(
        self,
        fg: Foreground,
        t_s: float,
        people: np.ndarray | None = None,
        silhouettes: np.ndarray | None = None,
    ) -> None:
        """Take one frame (``fg``: it and its difference from the empty corridor); ``people``: pixels
        inside people's boxes, when a person detector runs; ``silhouettes``: the pixels people surely show
        (a silhouette model's, ungrown), for the look-back (``lookback_skips_people``)."""
        p = self.params
        v = fg.image
        dt = 0.0 if self._last_t is None else max(0.0, t_s - self._last_t)
        if self._last_t is None:
            self._pending[:] = v
            self._pending_since[:] = t_s
        self._last_t = t_s
        # pending: since when the pixel has shown what it shows now
        still = channel_max_absdiff(v, self._pending) <= p.match
        cv2.accumulateWeighted(v, self._pending, 0.3, mask=still.astype(np.uint8))
        np.copyto(self._pending, v, where=~still[:, :, None])
        self._pending_since[~still] = t_s
        self.changed = ~still & fg.differs
        # the anchor put aside shows again: someone stood in front of it and has left
        back = (
            self._aside_valid
            & fg.differs
            & (channel_max_absdiff(v, self._aside) <= p.match)
            & ~(self.valid & (channel_max_absdiff(v, self.value) <= p.match))
        )
        if back.any():
            self._swap(back)
        matches = self.valid & (channel_max_absdiff(v, self.value) <= p.match)
        self.matches = matches
        # in view, or (half) hidden by someone walking past, which says little against it: a far item in
        # a busy corridor is behind passers-by much of the time; nothing while something else is still
        behind = self.changed
        if people is not None:
            behind = behind | (people & ~matches)
            clear = matches & ~people  # the anchor shows, and nobody's box is over it
            self.unproven_s[clear] = np.maximum(0.0, self.unproven_s[clear] - dt)
            self._person_s[people] = t_s
        self.seen_s[matches] += dt
        self.seen_s[self.valid & behind] += p.behind_walker * dt
        if people is not None:
            # the anchor put aside, hidden by a person standing in front of it, counts as behind a walker
            self._aside_seen[self._aside_valid & people] += p.behind_walker * dt
        cv2.accumulateWeighted(v, self.value, p.follow, mask=matches.astype(np.uint8))
        # something new has held still: the new anchor; an old one goes aside
        new = fg.differs & ~matches & still & (t_s - self._pending_since >= p.establish_s)
        if people is not None and p.crowded_waits and new.any():
            unproven = self.valid & (self.unproven_s > 0) & self._aside_valid & (self._aside_unproven > 0)
            new &= ~(unproven & people)
        if new.any():
            # what stood here goes aside, unless it came up on a person (someone who stopped in front of
            # the anchor already aside, maybe an item: two people standing there in turn must not push
            # the item out)
            person_before_item = self._aside_valid & (self._aside_unproven <= 0) & (self.unproven_s > 0)
            keep = new & self.valid & ~person_before_item
            self._aside[keep] = self.value[keep]
            for ours, theirs in self._dated_pairs():
                theirs[keep] = ours[keep]
            self._aside_valid[keep] = True
            self.value[new] = self._pending[new]
            self.since[new], self.seen_s[new], self.shown_s[new], self.floor_s[new] = self._date(
                new, fg.reference, t_s
            )
            # came up on a person: a box was over it at some time while it held still (a detector misses
            # a standing person now and then; one frame without a box proves nothing)
            self.unproven_s[new] = np.where(self._person_s[new] >= self._pending_since[new], p.proven_s, 0.0)
            self.valid[new] = True
        # empty floor for gone_s on end: whatever stood here has been taken away
        self._floor_s[~fg.differs] += dt
        # a person on the pixel hides the floor, and says nothing of whether the item is still there
        self._floor_s[fg.differs if people is None else fg.differs & ~people] = 0.0
        gone = self._floor_s >= p.gone_s
        self.valid[gone] = False
        self._aside_valid[gone] = False
        if self._region.any() and (not self._history or t_s - self._history[-1][0] >= p.history_every_s):
            covered = np.packbits(silhouettes[self._region]) if silhouettes is not None else None
            self._history.append((t_s, np.clip(v[self._region], 0, 255).astype(np.uint8), covered))

    def _date(
        self, new: np.ndarray, reference: np.ndarray, t_s: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Since when the new anchors' values have stood on their pixels, for how long in view, when they
        first showed and when the empty floor last showed before them (NaN: not in the look-back).

        An item put down and at once walked past (the person who carried it goes on towards the camera)
        only holds still after that; looking back through recent frames, it came between the last frame
        showing the empty floor and the first showing it (``lookback_skips_people``: the first showing it
        with no person's silhouette on the pixel).
        """
        p = self.params
        pending_since = self._pending_since[new]
        held = t_s - pending_since
        if not self._history:
            return pending_since, held, pending_since, np.full_like(pending_since, np.nan)
        idx = np.nonzero(new)
        at = self._region_index[idx]
        inside = at >= 0  # outside the region there is no look-back: found nowhere
        where = np.maximum(at, 0)
        times = np.array([h[0] for h in self._history], np.float32)
        past = np.stack([h[1][where] for h in self._history]).astype(np.float32)  # K x n x 3
        value = self._pending[idx][None]
        floor = reference[idx][None]
        like = (np.abs(past - value).max(axis=2) <= p.match) & inside
        if p.lookback_skips_people:
            byte, bit = where >> 3, 7 - (where & 7)
            nobody = np.zeros(len(at), bool)
            like &= ~np.stack(
                [nobody if h[2] is None else ((h[2][byte] >> bit) & 1).astype(bool) for h in self._history]
            )
        empty = (np.abs(past - floor).max(axis=2) <= p.match) & inside
        k = np.arange(len(times))[:, None]
        last_empty = np.where(empty, k, -1).max(axis=0)
        after = like & (k > last_empty)
        first = np.where(after, k, len(times)).min(axis=0)
        found = first < len(times)
        # it came after the floor last showed and by the time it first showed; whoever set it down
        # hides the spot before (walking up) and after (walking on towards the camera) for a moment:
        # the middle of the two errs least
        shown = times[np.minimum(first, len(times) - 1)]
        came = np.where(last_empty >= 0, (times[np.maximum(last_empty, 0)] + shown) / 2, shown)
        since = np.where(found, np.minimum(came, pending_since), pending_since)
        seen = np.maximum(held, after.sum(axis=0) * p.history_every_s)
        first_shown = np.where(found, np.minimum(shown, pending_since), pending_since)
        floor = np.where(found & (last_empty >= 0), times[np.maximum(last_empty, 0)], np.nan)
        return (
            since.astype(np.float32),
            seen.astype(np.float32),
            first_shown.astype(np.float32),
            floor.astype(np.float32),
        )

    def forget(self, region: np.ndarray, came_by_s: float = float("inf")) -> None:
        """Drop the anchors on ``region`` (both, the one put aside too) that came by ``came_by_s``."""
        self.valid[region & (self.since <= came_by_s)] = False
        self._aside_valid[region & (self._aside_since <= came_by_s)] = False

    def _dated_pairs(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """Each per-pixel date or duration of the anchor, with its twin for the anchor put aside."""
        return (
            (self.since, self._aside_since),
            (self.seen_s, self._aside_seen),
            (self.shown_s, self._aside_shown),
            (self.floor_s, self._aside_floor),
            (self.unproven_s, self._aside_unproven),
        )

    def _swap(self, where: np.ndarray) -> None:
        w3 = where[:, :, None]
        value = self.value.copy()
        np.copyto(self.value, self._aside, where=w3)
        np.copyto(self._aside, value, where=w3)
        for ours, theirs in self._dated_pairs():
            held = ours[where].copy()
            ours[where] = theirs[where]
            theirs[where] = held
        valid = self.valid[where].copy()
        self.valid[where] = True
        self._aside_valid[where] = valid

    def layers(self, rows: slice, cols: slice, t_s: float) -> tuple[AnchorLayer, AnchorLayer]:
        """The anchor each pixel shows (or last showed) and the one put aside, over a window: for tracing
        why an item was (not) reported (``benchmarks/clutter_trace.py --pixels``)."""

        def layer(
            value: np.ndarray,
            valid: np.ndarray,
            since: np.ndarray,
            seen: np.ndarray,
            shown: np.ndarray,
            floor: np.ndarray,
            unproven: np.ndarray,
        ) -> AnchorLayer:
            w = valid[rows, cols]
            in_view = seen[rows, cols] / np.maximum(t_s - shown[rows, cols], 1e-3)
            return AnchorLayer(
                valid=w.copy(),
                since=np.where(w, since[rows, cols], np.nan),
                floor_s=np.where(w, floor[rows, cols], np.nan),
                shown_s=np.where(w, shown[rows, cols], np.nan),
                in_view=np.where(w, in_view, np.nan),
                unproven=w & (unproven[rows, cols] > 0),
                value=np.where(w[:, :, None], value[rows, cols], np.nan),
            )

        ours, theirs = zip(*self._dated_pairs(), strict=True)  # since, seen, shown, floor, unproven
        return layer(self.value, self.valid, *ours), layer(self._aside, self._aside_valid, *theirs)

    def older_value(self, rows: slice, cols: slice) -> np.ndarray:
        """What the older of each pixel's two anchors shows (the item, when someone stands in front)."""
        aside = self._aside_valid[rows, cols] & (
            ~self.valid[rows, cols] | (self._aside_since[rows, cols] < self.since[rows, cols])
        )
        return np.where(aside[:, :, None], self._aside[rows, cols], self.value[rows, cols])

    def static(self, t_s: float, static_s: float, presence: float) -> Standing:
        """Pixels holding an anchor at least ``static_s`` old that was in view for ``presence`` of the time
        since it first showed (a passer-by's trace is seen once, an item again and again between
        passers-by; an item hidden by people from the moment it was put down only starts to count once it
        shows), with that anchor's dates; where both anchors qualify (someone stands in front of an
        item), the older."""
        with np.errstate(invalid="ignore", divide="ignore"):
            own = (
                self.valid
                & (self.unproven_s <= 0)
                & (t_s - self.since >= static_s)
                & (self.seen_s >= presence * np.maximum(t_s - self.shown_s, 1e-3))
            )
            aside = (
                self._aside_valid
                & (self._aside_unproven <= 0)
                & (t_s - self._aside_since >= static_s)
                & (self._aside_seen >= presence * np.maximum(t_s - self._aside_shown, 1e-3))
            )
        older = aside & (~own | (self._aside_since < self.since))
        return Standing(
            mask=own | aside,
            since=np.where(older, self._aside_since, self.since).astype(np.float32),
            floor_s=np.where(older, self._aside_floor, self.floor_s).astype(np.float32),
            shown_s=np.where(older, self._aside_shown, self.shown_s).astype(np.float32),
            shows=self.matches & ~older,
        )
