"""A camera's health as the reader sees it; what heartbeats and ``/metrics`` report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HealthState(StrEnum):
    STARTING = "starting"  # first connection attempt in progress
    ONLINE = "online"  # frames are flowing
    RECONNECTING = "reconnecting"  # lost or never got the stream; retrying with backoff
    ENDED = "ended"  # a file source reached its end
    STOPPED = "stopped"  # the agent stopped the reader


@dataclass(frozen=True)
class CameraHealth:
    camera_id: str
    state: HealthState
    frames_in: int
    fps_in: float
    reconnects: int
    last_error: str = ""

    @property
    def online(self) -> bool:
        return self.state is HealthState.ONLINE
