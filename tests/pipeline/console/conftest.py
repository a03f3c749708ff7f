from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import cv2
import numpy as np
from aiohttp.test_utils import TestClient, TestServer

from pipeline.console.app import FEED, ConsoleSettings, build_console
from pipeline.console.auth import AccountEntry, Accounts, Role
from pipeline.console.evidence import MemoryEvidenceStore
from pipeline.console.passwords import hash_password
from pipeline.console.ratelimit import LoginPolicy
from pipeline.console.sink import embedded_sink
from pipeline.embedded import EmbeddedPipeline
from sharpeyes.clock import Clock, ManualClock
from sharpeyes.contract import Alert, CaseUpdate, Evidence
from sharpeyes.registry import SiteRegistry
from tests.pipeline.conftest import T0

PASSWORDS = {"op1": "correct horse 1", "sup1": "battery staple 2"}
CHEAP = {"n": 2**10, "r": 8, "p": 1}  # real scrypt, cheap cost: tests stay fast


def console_accounts() -> Accounts:
    return Accounts.from_entries(
        [
            AccountEntry(
                username="op1",
                role=Role.OPERATOR,
                password_hash=hash_password(PASSWORDS["op1"], **CHEAP),
                display_name="值班员 王丽",
            ),
            AccountEntry(
                username="sup1", role=Role.SUPERVISOR, password_hash=hash_password(PASSWORDS["sup1"], **CHEAP)
            ),
        ]
    )


def jpeg_b64(text: str = "SE") -> str:
    img = np.full((120, 160, 3), 60, np.uint8)
    cv2.rectangle(img, (30, 20), (130, 100), (40, 160, 230), -1)
    cv2.putText(img, text, (45, 75), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    ok, buf = cv2.imencode(".jpg", img)
    assert ok
    return base64.b64encode(buf.tobytes()).decode()


def with_snapshot(alert: Alert) -> Alert:
    return alert.model_copy(update={"evidence": Evidence(snapshot_jpeg=jpeg_b64())})


def camera_of(registry: SiteRegistry, kind: str) -> str:
    return next(c.id for c in registry.cameras.values() if c.kind.value == kind)


@dataclass
class RecordingSink:
    """The embedded update path, remembering what went through it."""

    runner: EmbeddedPipeline
    updates: list[CaseUpdate] = field(default_factory=list)

    def __call__(self, update: CaseUpdate) -> None:
        self.updates.append(update)
        embedded_sink(self.runner)(update)


@dataclass
class Rig:
    runner: EmbeddedPipeline
    sink: RecordingSink
    evidence: MemoryEvidenceStore
    clock: ManualClock

    def submit(self, alert: Alert) -> None:
        raw = alert.to_bytes()
        self.evidence.keep_raw(raw)
        self.runner.submit_alert(raw)


def make_rig(registry: SiteRegistry, tmp_path: Path, clock: ManualClock | None = None) -> Rig:
    clock = clock or ManualClock(T0)
    runner = EmbeddedPipeline(registry, str(tmp_path / "state.sqlite"), clock=clock)
    return Rig(runner, RecordingSink(runner), MemoryEvidenceStore(), clock)


@asynccontextmanager
async def serve(
    rig: Rig, registry: SiteRegistry, clock: Clock | None = None, **settings: object
) -> AsyncIterator[tuple[TestServer, TestClient]]:
    """A real console on 127.0.0.1: (TestServer, TestClient)."""
    defaults: dict[str, object] = {
        "session_ttl": timedelta(hours=8),
        "login": LoginPolicy(max_failures=3, window=timedelta(minutes=10)),
        "heartbeat": timedelta(seconds=0.2),
    }
    app = build_console(
        rig.runner.projection,
        rig.sink,
        registry,
        console_accounts(),
        clock or rig.clock,
        rig.evidence,
        settings=ConsoleSettings(**{**defaults, **settings}),  # type: ignore[arg-type]
    )
    rig.runner.subscribe(app[FEED].publish)
    server = TestServer(app, host="127.0.0.1")
    client = TestClient(server)
    await client.start_server()
    try:
        yield server, client
    finally:
        await client.close()
