"""Replay safety for a stage whose state (changelog) and outputs (topic sends) are not written atomically.

After a crash, Kafka redelivers messages past the last committed offset. Their state changes may have
reached the changelog while their outputs did not. So each stage records, per key, the last input
offset it applied and the outputs each recent input produced. A redelivered offset at or below that
mark is a *replay*: its recorded outputs are sent again (same event ids, so receivers drop repeats),
and the decision is not made twice. Entries older than ``horizon_s`` of processing time are pruned:
offsets are committed every second, so anything older has been committed and cannot be redelivered.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReplayLedger(BaseModel):
    model_config = ConfigDict(extra="ignore")

    last_offset: int = -1
    recent: list[tuple[int, float]] = Field(
        default_factory=list, description="(offset, processed at) with outputs"
    )

    def is_replay(self, offset: int) -> bool:
        return offset <= self.last_offset

    def record(self, offset: int, now_s: float, has_outputs: bool, horizon_s: float) -> list[int]:
        """Mark ``offset`` applied; return the offsets whose stored outputs can be forgotten."""
        self.last_offset = max(self.last_offset, offset)
        if has_outputs:
            self.recent.append((offset, now_s))
        expired = [o for o, t in self.recent if now_s - t > horizon_s]
        if expired:
            self.recent = [(o, t) for o, t in self.recent if now_s - t <= horizon_s]
        return expired
