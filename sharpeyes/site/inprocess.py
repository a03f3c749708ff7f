"""The edge agent's ``Producer`` seam, in process: the outbox forwards to the embedded pipeline.

The agent keeps its disk outbox and its ack discipline; only the transport changes. A send that the
pipeline could not take (an exception) is reported as a failed future, so the outbox keeps the alert.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipeline.embedded import EmbeddedPipeline


class _Done:
    """The part of kafka-python's FutureRecordMetadata the forwarder reads."""

    is_done = True

    def __init__(self, exception: BaseException | None = None) -> None:
        self.exception = exception

    def failed(self) -> bool:
        return self.exception is not None


class InProcessProducer:
    def __init__(
        self,
        runner: EmbeddedPipeline,
        on_alert_raw: Callable[[bytes], Any] | None = None,
        on_health: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.runner = runner
        self.on_alert_raw = on_alert_raw
        self.on_health = on_health

    def send(self, topic: str, value: bytes, key: bytes) -> _Done:
        try:
            if topic.endswith(".alerts.raw"):
                if self.on_alert_raw is not None:
                    self.on_alert_raw(value)
                self.runner.submit_alert(value, source=f"edge:{key.decode(errors='replace')}")
            elif topic.endswith(".edge.health") and self.on_health is not None:
                self.on_health(json.loads(value))
            return _Done()
        except Exception as exc:  # noqa: BLE001 - reported to the forwarder, which keeps the alert
            return _Done(exc)

    def flush(self, timeout: float | None = None) -> None:
        return None

    def close(self, timeout: float | None = None) -> None:
        return None
