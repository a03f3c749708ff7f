"""Which offsets may be committed: per partition, everything before the first unfinished record.

Records of different cases finish out of order (one case waits on retries while others go on);
committing the first unfinished offset means a restart re-reads exactly what was not yet delivered
or dead-lettered, plus some finished records after it (delivered again, same ``webhook-id``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

P = TypeVar("P", bound=Hashable)


class OffsetTracker(Generic[P]):
    def __init__(self) -> None:
        self._started: dict[P, deque[int]] = {}
        self._finished: dict[P, set[int]] = {}
        self._position: dict[P, int] = {}
        self._committed: dict[P, int] = {}

    @property
    def in_flight(self) -> int:
        return sum(len(q) for q in self._started.values())

    def started(self, partition: P, offset: int) -> None:
        queue = self._started.setdefault(partition, deque())
        if queue and offset <= queue[-1]:
            raise ValueError(f"offset {offset} after {queue[-1]} on {partition!r}: offsets must increase")
        queue.append(offset)
        self._finished.setdefault(partition, set())

    def finished(self, partition: P, offset: int) -> None:
        """Mark a record done; records of partitions no longer tracked are ignored."""
        queue = self._started.get(partition)
        if queue is None:
            return
        done = self._finished[partition]
        done.add(offset)
        while queue and queue[0] in done:
            head = queue.popleft()
            done.discard(head)
            self._position[partition] = head + 1

    def to_commit(self) -> dict[P, int]:
        """Offsets (next to read) that moved since the last ``committed`` call."""
        return {p: pos for p, pos in self._position.items() if self._committed.get(p) != pos}

    def committed(self, positions: dict[P, int]) -> None:
        self._committed.update(positions)

    def forget(self, partitions: Iterable[P]) -> None:
        """Partitions revoked in a rebalance: their new owner starts from the last commit."""
        for p in partitions:
            for table in (self._started, self._finished, self._position, self._committed):
                table.pop(p, None)
