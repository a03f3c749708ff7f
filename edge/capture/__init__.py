"""Camera capture: one reader thread per camera that keeps only the newest frame, and a sampler."""

from edge.capture.backoff import Backoff
from edge.capture.health import CameraHealth, HealthState
from edge.capture.reader import CameraReader, Frame
from edge.capture.sampler import FrameSampler

__all__ = ["Backoff", "CameraHealth", "CameraReader", "Frame", "FrameSampler", "HealthState"]
