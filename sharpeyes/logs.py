"""Structured logging: ``key=value`` text for people, or one JSON object per line for collectors.

Call sites log an event name plus fields (``log.info("camera reconnected", extra=fields(camera=...))``);
secrets never reach a log line because sources are masked before they are logged (see ``mask_credentials``).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


def fields(**values: Any) -> dict[str, Any]:
    """``extra=`` for a log call: the structured fields of the event."""
    return {"sx": values}


class _Formatter(logging.Formatter):
    def __init__(self, json_lines: bool) -> None:
        super().__init__()
        self.json_lines = json_lines

    def format(self, record: logging.LogRecord) -> str:
        extra: dict[str, Any] = getattr(record, "sx", {}) or {}
        ts = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        if self.json_lines:
            doc = {
                "ts": ts,
                "level": record.levelname.lower(),
                "logger": record.name,
                "event": record.getMessage(),
                **extra,
            }
            if record.exc_info:
                doc["exc"] = self.formatException(record.exc_info)
            return json.dumps(doc, ensure_ascii=False, default=str)
        tail = " ".join(f"{k}={v}" for k, v in extra.items())
        line = f"{ts} {record.levelname:<7} {record.name}: {record.getMessage()}" + (
            f" {tail}" if tail else ""
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def configure_logging(level: str = "INFO", json_lines: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter(json_lines))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "aiokafka", "faust", "mode"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
