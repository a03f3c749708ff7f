from __future__ import annotations

from pipeline.core.replay import ReplayLedger


def test_offsets_at_or_below_the_mark_are_replays() -> None:
    ledger = ReplayLedger()
    assert not ledger.is_replay(0)
    ledger.record(0, 100.0, True, 30)
    ledger.record(5, 101.0, False, 30)
    assert ledger.is_replay(0) and ledger.is_replay(5) and not ledger.is_replay(6)
    assert ledger.recent == [(0, 100.0)]


def test_outputs_are_forgotten_after_the_horizon() -> None:
    ledger = ReplayLedger()
    ledger.record(1, 0.0, True, 30)
    ledger.record(2, 10.0, True, 30)
    assert ledger.record(3, 35.0, True, 30) == [1]
    assert [o for o, _ in ledger.recent] == [2, 3]
    assert ledger.is_replay(1), "the mark stays even when outputs are forgotten"
