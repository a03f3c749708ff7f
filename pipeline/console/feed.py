"""The live feed: case events fanned out to browsers over Server-Sent Events.

Each client has a bounded queue; a client that falls ``queue_size`` events behind is dropped (its
stream ends, the browser reconnects and re-reads the board) instead of letting memory grow.
``publish`` may be called from the event loop's thread (the embedded runner inside the console
process) or from any other thread (a runner on a worker thread, the projection tail).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from sharpeyes.contract import CaseEvent
from sharpeyes.logs import fields
from sharpeyes.timefmt import format_rfc3339

log = logging.getLogger(__name__)


def summary(event: CaseEvent) -> dict[str, Any]:
    """What the feed and the board need of an event: the snapshot without its bulky attributes."""
    case = event.case.model_dump(mode="json", exclude={"attributes", "history"})
    return {
        "event_id": event.event_id,
        "case_id": event.case_id,
        "type": event.type.value,
        "ts": format_rfc3339(event.ts),
        "alert_id": event.alert_id,
        "case": case,
    }


def sse_frame(name: str, data: dict[str, Any], event_id: str | None = None) -> bytes:
    lines = [f"event: {name}"]
    if event_id:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return ("\n".join(lines) + "\n\n").encode()


@dataclass(eq=False)
class FeedClient:
    queue: asyncio.Queue[bytes | None]
    dropped: bool = False
    name: str = ""


@dataclass
class FeedStats:
    published: int = 0
    dropped_clients: int = 0


class FeedHub:
    def __init__(self, queue_size: int = 256, max_clients: int = 64) -> None:
        self.queue_size = queue_size
        self.max_clients = max_clients
        self._clients: set[FeedClient] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self.stats = FeedStats()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Remember the loop the clients live on (called at app start-up)."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    @property
    def clients(self) -> int:
        return len(self._clients)

    def connect(self, name: str = "") -> FeedClient | None:
        if len(self._clients) >= self.max_clients:
            return None
        client = FeedClient(asyncio.Queue(maxsize=self.queue_size), name=name)
        self._clients.add(client)
        return client

    def disconnect(self, client: FeedClient) -> None:
        self._clients.discard(client)

    def publish(self, event: CaseEvent) -> None:
        """An ``EmbeddedPipeline.subscribe`` listener."""
        frame = sse_frame("case", summary(event), event.event_id)
        if self._loop is None:
            return  # no client can be connected before the app started
        if threading.get_ident() == self._loop_thread:
            self._fan_out(frame)
        else:
            self._loop.call_soon_threadsafe(self._fan_out, frame)

    def _fan_out(self, frame: bytes) -> None:
        self.stats.published += 1
        for client in list(self._clients):
            try:
                client.queue.put_nowait(frame)
            except asyncio.QueueFull:
                self._drop(client)

    def _drop(self, client: FeedClient) -> None:
        client.dropped = True
        self._clients.discard(client)
        self.stats.dropped_clients += 1
        while not client.queue.empty():
            client.queue.get_nowait()
        client.queue.put_nowait(None)  # wakes the stream so it ends
        log.warning("slow feed client dropped", extra=fields(client=client.name, queue=self.queue_size))

    def close_all(self) -> None:
        for client in list(self._clients):
            self._clients.discard(client)
            while not client.queue.empty():
                client.queue.get_nowait()
            client.queue.put_nowait(None)
