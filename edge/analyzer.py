"""The seam between a camera's frames and the alerts it raises.

Every detector the agent runs on a camera (the throw detector on facades, the clutter and e-bike rules
in corridors and lifts) is an ``Analyzer``: it sees sampled frames with their time in seconds since the
stream started and returns ``AlertDraft`` values. The agent (or ``sharpeyes edge scan``) turns a draft into
a wire ``Alert``: it adds the ``alert_id``, ``source_id``, absolute ``ts`` and the agent info, so analyzers
stay pure and testable on hand-made frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from sharpeyes.contract import AlertKind, Severity
from sharpeyes.contract.alert import Attributes, GenericAttributes


@dataclass(frozen=True)
class AlertDraft:
    kind: AlertKind
    t_s: float  # event time, seconds since frame 0 (the contract says which moment, per kind)
    confidence: float
    severity: Severity
    zone: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    attributes: Attributes = field(default_factory=GenericAttributes)
    snapshot_jpeg: bytes | None = None
    # a stable name for this event within the camera (e.g. "throw-17"), so an agent restart that
    # re-analyses the same moment produces the same alert_id
    event_key: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside 0..1")
        if self.t_s < 0:
            raise ValueError("t_s must be >= 0")


class Analyzer(Protocol):
    """One detector on one camera. Not thread-safe: one analyzer per camera, called in frame order."""

    def process(self, frame: np.ndarray, t_s: float) -> list[AlertDraft]:
        """Analyse one sampled BGR frame taken ``t_s`` seconds after frame 0."""
        ...

    def finish(self, t_s: float) -> list[AlertDraft]:
        """The stream ended at ``t_s``: return alerts for events still in progress (a fall leaving view)."""
        ...
