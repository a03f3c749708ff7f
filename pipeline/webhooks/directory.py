"""What the inbound API needs to know about cases: their current status (the case projection's job)."""

from __future__ import annotations

from typing import Protocol

from sharpeyes.contract import CaseStatus


class CaseDirectory(Protocol):
    def status_of(self, case_id: str) -> CaseStatus | None:
        """The case's current status, or None for a case this pipeline does not know."""
        ...


class InMemoryCaseDirectory:
    def __init__(self, statuses: dict[str, CaseStatus] | None = None) -> None:
        self.statuses = dict(statuses or {})

    def status_of(self, case_id: str) -> CaseStatus | None:
        return self.statuses.get(case_id)
