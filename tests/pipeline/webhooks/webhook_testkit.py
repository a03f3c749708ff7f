"""Helpers of the webhook tests: case events, a real Standard Webhooks receiver, Kafka helpers."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import standardwebhooks
from aiohttp import web
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from sharpeyes.contract import (
    AlertKind,
    CaseEvent,
    CaseEventType,
    CaseSnapshot,
    CaseStatus,
    EvidenceRef,
    GridPath,
    Severity,
    StatusChange,
)

T0 = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

EventFactory = Callable[..., CaseEvent]


def make_case_event(
    case_id: str = "case-0001",
    seq: int = 0,
    *,
    type: CaseEventType = CaseEventType.OPENED,
    kind: AlertKind = AlertKind.CORRIDOR_CLUTTER,
    status: CaseStatus = CaseStatus.OPEN,
    severity: Severity = Severity.MEDIUM,
    building: str | None = "B-001",
    floor: int | None = 5,
) -> CaseEvent:
    """Event number ``seq`` of ``case_id``; the event id ``{case_id}:{seq}`` is its webhook-id."""
    ts = T0 + timedelta(seconds=seq)
    case = CaseSnapshot(
        case_id=case_id,
        case_key=f"{building}:{floor}:{kind.value}",
        kind=kind,
        severity=severity,
        status=status,
        location=GridPath(street="st-01", community="cm-01", grid="gr-01-01", building=building),
        floor=floor,
        zone="fire_lane",
        source_ids=["cam-b001-f5"],
        opened_at=T0,
        first_seen=T0 - timedelta(minutes=2),
        last_seen=ts,
        alert_count=seq + 1,
        alert_ids=[f"al-{case_id}-{i}" for i in range(min(seq + 1, 3))],
        evidence=[EvidenceRef(alert_id=f"al-{case_id}-0", sha256="ab" * 32)],
        respond_by=T0 + timedelta(hours=2),
        resolve_by=T0 + timedelta(hours=24),
        history=[StatusChange(status=CaseStatus.OPEN, at=T0, by="pipeline")],
    )
    return CaseEvent(
        event_id=f"{case_id}:{seq}",
        case_id=case_id,
        type=type,
        ts=ts,
        alert_id=f"al-{case_id}-{seq}",
        case=case,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Receiver:
    """A case-system stand-in: verifies with the reference ``standardwebhooks`` library, dedupes by id.

    ``status`` is what it answers to a verified request (200, or 503 to play a sick receiver);
    ``stop()``/``start()`` take the port down (connection refused) and bring it back.
    """

    secret: str
    port: int = field(default_factory=free_port)
    status: int = 200
    delay_s: float = 0.0
    reject_case: set[str] = field(default_factory=set)  # answer 400 for these cases
    accepted: list[str] = field(default_factory=list)  # webhook-ids in order of first acceptance
    bodies: dict[str, dict[str, object]] = field(default_factory=dict)
    repeats: Counter[str] = field(default_factory=Counter)
    answered: Counter[int] = field(default_factory=Counter)
    bad_signatures: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cases"

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            doc = standardwebhooks.Webhook(self.secret).verify(body, dict(request.headers))
        except standardwebhooks.webhooks.WebhookVerificationError:
            self.bad_signatures += 1
            self.answered[401] += 1
            return web.Response(status=401)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        msg_id = request.headers["webhook-id"]
        case_id = str(doc.get("case", {}).get("id") or doc.get("service_request_id"))
        status = 400 if case_id in self.reject_case else self.status
        self.answered[status] += 1
        if status != 200:
            return web.Response(status=status, headers={"Retry-After": "0"} if status == 503 else None)
        if msg_id in self.bodies:
            self.repeats[msg_id] += 1
        else:
            self.accepted.append(msg_id)
            self.bodies[msg_id] = doc
        return web.Response(status=200, text="ok")

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hooks/cases", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port, reuse_address=True).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def order_by_case(self) -> dict[str, list[int]]:
        """Sequence numbers per case in order of first acceptance."""
        out: dict[str, list[int]] = defaultdict(list)
        for msg_id in self.accepted:
            case_id, seq = msg_id.rsplit(":", 1)
            out[case_id].append(int(seq))
        return out


async def create_topic(bootstrap: str, name: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
    finally:
        await admin.close()


async def produce_events(bootstrap: str, topic: str, events: list[CaseEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for event in events:
            await producer.send(topic, value=event.to_bytes(), key=event.case_id.encode())
        await producer.flush()
    finally:
        await producer.stop()


async def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll every 20 ms; fail naming ``what`` if it does not happen in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
        await asyncio.sleep(0.02)
