"""What an operator's button asks of a case: a pure decision from (role, action, status) to a status.

======================  ==========================  ======================================
action                  from                        to / who
======================  ==========================  ======================================
``confirm`` 确认派遣     open                        dispatched — operator, supervisor
``false_positive`` 误报  open                        rejected_false_positive — operator
                        any other non-terminal      rejected_false_positive — supervisor
``note`` 备注            any non-terminal            the same status, with the note
``verify`` 核查通过      resolved                    verified — supervisor
``close`` 结案           verified                    closed — supervisor
======================  ==========================  ======================================

An operator rules on fresh cases; once a case is out with a grid worker, only a supervisor withdraws
it. Every result is still checked against the state machine (``pipeline.core.lifecycle``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pipeline.console.auth import Role
from pipeline.core.lifecycle import InvalidTransition, check_transition
from sharpeyes.contract import CaseStatus


class Action(StrEnum):
    CONFIRM = "confirm"
    FALSE_POSITIVE = "false_positive"
    NOTE = "note"
    VERIFY = "verify"
    CLOSE = "close"


@dataclass(frozen=True)
class Refusal:
    status: int  # HTTP status
    reason: str
    detail: str


_TARGET = {
    Action.CONFIRM: CaseStatus.DISPATCHED,
    Action.FALSE_POSITIVE: CaseStatus.REJECTED_FALSE_POSITIVE,
    Action.VERIFY: CaseStatus.VERIFIED,
    Action.CLOSE: CaseStatus.CLOSED,
}
_SUPERVISOR_ONLY = {Action.VERIFY, Action.CLOSE}


def plan(role: Role, action: Action, current: CaseStatus, note: str | None) -> CaseStatus | Refusal:
    """The status to ask for, or why not (403 role, 409 state, 400 missing note)."""
    if current.is_terminal:
        return Refusal(409, "case_closed", f"case is {current.value}")
    if action is Action.NOTE:
        if not note or not note.strip():
            return Refusal(400, "note_required", "a note needs text")
        return current
    if role is not Role.SUPERVISOR:
        if action in _SUPERVISOR_ONLY:
            return Refusal(403, "supervisor_only", f"{action.value} needs a supervisor")
        if action is Action.FALSE_POSITIVE and current is not CaseStatus.OPEN:
            return Refusal(403, "supervisor_only", "withdrawing a dispatched case needs a supervisor")
    target = _TARGET[action]
    try:
        check_transition(current, target)
    except InvalidTransition as exc:
        return Refusal(409, "invalid_transition", str(exc))
    if target == current:
        return Refusal(409, "unchanged", f"case is already {current.value}")
    return target


def available(role: Role, current: CaseStatus) -> list[str]:
    """The actions to offer as buttons on a case page."""
    return [a.value for a in Action if not isinstance(plan(role, a, current, "x"), Refusal)]
