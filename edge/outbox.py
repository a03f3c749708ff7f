"""Store-and-forward: an alert is on disk before it is sent, and leaves the disk only when the broker has it.

``Outbox`` is a SQLite file in WAL mode with ``synchronous=FULL``: ``put`` returns after the row is
durable, so an agent crash, a reboot or a broker outage never loses an accepted alert. The disk is
bounded: past ``max_bytes`` the oldest alert of the lowest severity is evicted, counted and logged.

``KafkaForwarder`` drains the outbox in insertion order with kafka-python (``acks='all'``, idempotent
producer, at most 5 requests in flight, which the idempotent producer keeps in order per partition).
The key is the camera id, so one camera's alerts share a partition and arrive in the order they were
raised. A row is deleted only after its send future resolved, i.e. the broker acknowledged it. Delivery
is at-least-once: an agent killed between the broker's ack and the delete re-sends that alert on restart,
with the same ``alert_id``; the pipeline drops the repeat.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sharpeyes.contract import Alert
from sharpeyes.errors import SharpEyesError
from sharpeyes.kafka_probe import probe_access
from sharpeyes.kafka_security import KafkaSecurity
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL UNIQUE,
    topic TEXT NOT NULL,
    key TEXT NOT NULL,
    severity_rank INTEGER NOT NULL,
    payload BLOB NOT NULL,
    size INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_eviction ON outbox (severity_rank, seq);
"""


class OutboxError(SharpEyesError):
    """The outbox file cannot be opened or written (disk full, permissions): retrying may help."""

    retriable = True


@dataclass(frozen=True)
class OutboxRecord:
    seq: int
    alert_id: str
    topic: str
    key: str
    payload: bytes


@dataclass(frozen=True)
class Eviction:
    alert_id: str
    severity_rank: int
    size: int


class OutboxObserver(Protocol):
    """Where the outbox reports what operators must see (metrics); the log line is written here."""

    def evicted(self, eviction: Eviction) -> None: ...


class Outbox:
    """A durable FIFO of encoded alerts, bounded in bytes. Thread-safe (one connection behind a lock)."""

    def __init__(
        self,
        path: Path,
        max_bytes: int,
        observer: OutboxObserver | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.path = path
        self.max_bytes = max_bytes
        self._observer = observer
        self._clock = clock
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise OutboxError(f"cannot open outbox {path}: {exc}") from exc
        self._bytes = int(self._db.execute("SELECT COALESCE(SUM(size), 0) FROM outbox").fetchone()[0])

    def put(self, alert: Alert, topic: str) -> bool:
        """Store ``alert`` durably; False when an alert with this ``alert_id`` is already waiting."""
        return self.put_raw(alert.alert_id, topic, alert.source_id, alert.severity.rank, alert.to_bytes())

    def put_raw(self, alert_id: str, topic: str, key: str, severity_rank: int, payload: bytes) -> bool:
        evicted: list[Eviction] = []
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cur = self._db.execute(
                    "INSERT OR IGNORE INTO outbox (alert_id, topic, key, severity_rank, payload, size, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (alert_id, topic, key, severity_rank, payload, len(payload), self._clock()),
                )
                inserted = cur.rowcount == 1
                size = self._bytes + (len(payload) if inserted else 0)
                while size > self.max_bytes:
                    row = self._db.execute(
                        "SELECT seq, alert_id, severity_rank, size FROM outbox "
                        "WHERE alert_id != ? ORDER BY severity_rank, seq LIMIT 1",
                        (alert_id,),
                    ).fetchone()
                    if row is None:
                        break  # the new alert alone is over the bound: keep it rather than lose it
                    self._db.execute("DELETE FROM outbox WHERE seq = ?", (row[0],))
                    size -= row[3]
                    evicted.append(Eviction(alert_id=row[1], severity_rank=row[2], size=row[3]))
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise OutboxError(f"cannot write outbox {self.path}: {exc}") from exc
            self._bytes = size
            if inserted:
                self._not_empty.notify_all()
        for eviction in evicted:
            log.warning(
                "outbox full: evicted an unsent alert",
                extra=fields(
                    alert_id=eviction.alert_id,
                    severity_rank=eviction.severity_rank,
                    bytes=eviction.size,
                    max_bytes=self.max_bytes,
                ),
            )
            if self._observer is not None:
                self._observer.evicted(eviction)
        return inserted

    def peek(self, limit: int) -> list[OutboxRecord]:
        """The oldest ``limit`` records, in the order they were put."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, alert_id, topic, key, payload FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [
            OutboxRecord(seq=r[0], alert_id=r[1], topic=r[2], key=r[3], payload=bytes(r[4])) for r in rows
        ]

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds until the outbox holds something; True if it does."""
        with self._not_empty:
            if self._depth_locked() == 0:
                self._not_empty.wait(timeout)
            return self._depth_locked() > 0

    def ack(self, seqs: Sequence[int]) -> None:
        """The broker has these: delete them."""
        if not seqs:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                freed = 0
                for seq in seqs:
                    row = self._db.execute(
                        "DELETE FROM outbox WHERE seq = ? RETURNING size", (seq,)
                    ).fetchone()
                    freed += row[0] if row else 0
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise OutboxError(f"cannot delete from outbox {self.path}: {exc}") from exc  # noqa: S608 - not SQL
            self._bytes -= freed

    def depth(self) -> int:
        with self._lock:
            return self._depth_locked()

    @property
    def bytes(self) -> int:
        return self._bytes

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _depth_locked(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])

    def _rollback(self) -> None:
        try:
            self._db.execute("ROLLBACK")
        except sqlite3.Error:
            log.debug("rollback without a transaction")


class Producer(Protocol):
    """The part of ``kafka.KafkaProducer`` the forwarder uses."""

    def send(self, topic: str, value: bytes, key: bytes) -> Any: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


def kafka_producer(
    bootstrap: str, client_id: str, request_timeout_ms: int = 10_000, security: KafkaSecurity | None = None
) -> Producer:
    """An idempotent, ``acks='all'`` producer. Raises kafka's NoBrokersAvailable while no broker answers;
    with SASL_SSL, a wrong password or an untrusted CA is reported by name before the client loops on it."""
    from kafka import KafkaProducer

    security = security or KafkaSecurity()
    probe_access(bootstrap, security, timeout_s=request_timeout_ms / 1000)

    producer: Producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        # the idempotent producer keeps order per partition with up to 5 requests in flight
        max_in_flight_requests_per_connection=5,
        linger_ms=5,
        request_timeout_ms=request_timeout_ms,
        delivery_timeout_ms=max(3 * request_timeout_ms, 30_000),
        max_block_ms=request_timeout_ms,
        bootstrap_timeout_ms=request_timeout_ms,
        **security.kafka_python_kwargs(),
    )
    return producer


@dataclass(frozen=True)
class ForwardResult:
    sent: int
    failed: bool


class KafkaForwarder:
    """Moves records from the outbox to Kafka; on a failure it backs off and restarts from the oldest."""

    def __init__(
        self,
        outbox: Outbox,
        producer_factory: Callable[[], Producer],
        batch: int = 200,
        ack_timeout_s: float = 30.0,
        backoff_s: tuple[float, float] = (0.5, 15.0),
        on_sent: Callable[[int], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self._factory = producer_factory
        self._batch = batch
        self._ack_timeout_s = ack_timeout_s
        self._backoff = backoff_s
        self._on_sent = on_sent
        self._producer: Producer | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False

    def forward_once(self) -> ForwardResult:
        """Send one batch and delete what the broker acknowledged (the acked prefix, in order)."""
        records = self.outbox.peek(self._batch)
        if not records:
            return ForwardResult(0, False)
        futures: list[Any] = []
        try:
            producer = self._ensure_producer()
            for r in records:
                futures.append(producer.send(r.topic, value=r.payload, key=r.key.encode("utf-8")))
            producer.flush(timeout=self._ack_timeout_s)
        except Exception as exc:  # noqa: BLE001 - any client failure means: back off, retry from disk
            log.debug("send or flush failed", extra=fields(error=repr(exc)))
        acked: list[int] = []
        failure: BaseException | None = None
        for record, future in zip(records, futures, strict=False):
            if not future.is_done or future.failed():
                failure = future.exception if future.is_done else TimeoutError("no ack before flush timeout")
                break
            acked.append(record.seq)
        # only the acked prefix leaves the disk: a record after a failed one is sent again, never reordered
        self.outbox.ack(acked)
        if acked and self._on_sent is not None:
            self._on_sent(len(acked))
        if failure is None and len(acked) < len(records):
            failure = RuntimeError("the producer refused a send")
        if failure is not None:
            self._drop_producer(failure)
            return ForwardResult(len(acked), True)
        return ForwardResult(len(acked), False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-forwarder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._producer is not None:
            try:
                self._producer.close(timeout=2)
            except Exception:  # noqa: BLE001 - closing a dead connection may fail; nothing is lost
                log.debug("producer close failed")
            self._producer = None

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stop.is_set():
            if not self.outbox.wait(0.5):
                continue
            result = self.forward_once()
            if result.failed:
                self._stop.wait(delay)
                delay = min(delay * 2, self._backoff[1])
            else:
                delay = self._backoff[0]

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._producer = self._factory()
            if not self.connected:
                log.info("outbox forwarder connected", extra=fields(depth=self.outbox.depth()))
            self.connected = True
        return self._producer

    def _drop_producer(self, exc: BaseException | None) -> None:
        if self.connected:
            log.warning(
                "outbox forwarder lost the broker; alerts stay on disk",
                extra=fields(error=type(exc).__name__ if exc else "", depth=self.outbox.depth()),
            )
        self.connected = False
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)
            except Exception:  # noqa: BLE001 - the connection is already broken
                log.debug("producer close failed")
            self._producer = None
