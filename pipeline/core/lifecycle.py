"""The case state machine (立案 → 派遣 → 处置 → 核查 → 结案), driven by the case system's updates.

open → dispatched → in_progress → resolved → verified → closed, and rejected_false_positive from any
state that is not terminal. An update to the status a case already has is a no-op (a redelivered
update), not an error. Anything else is an invalid transition: the caller dead-letters it (stream)
or answers 422 (inbound API).
"""

from __future__ import annotations

from sharpeyes.contract import CaseStatus
from sharpeyes.errors import SharpEyesError

_FORWARD: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.OPEN: frozenset({CaseStatus.DISPATCHED}),
    CaseStatus.DISPATCHED: frozenset({CaseStatus.IN_PROGRESS}),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.RESOLVED}),
    # a verifier who finds the problem still there sends the case back to work
    CaseStatus.RESOLVED: frozenset({CaseStatus.VERIFIED, CaseStatus.IN_PROGRESS}),
    CaseStatus.VERIFIED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.REJECTED_FALSE_POSITIVE: frozenset(),
}


class InvalidTransition(SharpEyesError):
    """A status change the state machine does not allow. Not retriable."""

    def __init__(self, current: CaseStatus, requested: CaseStatus) -> None:
        self.current = current
        self.requested = requested
        super().__init__(f"invalid transition {current.value} -> {requested.value}")


def allowed_next(current: CaseStatus) -> frozenset[CaseStatus]:
    if current.is_terminal:
        return frozenset()
    return _FORWARD[current] | {CaseStatus.REJECTED_FALSE_POSITIVE}


def check_transition(current: CaseStatus, requested: CaseStatus) -> bool:
    """True when the update changes the status, False for a repeat; raises ``InvalidTransition`` otherwise."""
    if requested == current:
        return False
    if requested not in allowed_next(current):
        raise InvalidTransition(current, requested)
    return True
