"""``GET /events``: the live feed as Server-Sent Events, for as long as the session lasts."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiohttp import web

from pipeline.console.feed import FeedHub, sse_frame
from pipeline.console.sessions import COOKIE, SessionSigner
from sharpeyes.clock import Clock
from sharpeyes.timefmt import format_rfc3339


class EventStream:
    def __init__(
        self, hub: FeedHub, signer: SessionSigner, clock: Clock, heartbeat: timedelta = timedelta(seconds=5)
    ) -> None:
        self.hub = hub
        self.signer = signer
        self.clock = clock
        self.heartbeat = heartbeat

    async def handle(self, request: web.Request) -> web.StreamResponse:
        client = self.hub.connect(request.remote or "-")
        if client is None:
            return web.json_response({"error": "busy", "detail": "too many feed clients"}, status=503)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache, no-store",
                "X-Accel-Buffering": "no",
            }
        )
        try:
            await response.prepare(request)
            await response.write(sse_frame("hello", {"now": format_rfc3339(self.clock.now())}))
            while True:
                try:
                    frame = await asyncio.wait_for(client.queue.get(), self.heartbeat.total_seconds())
                except TimeoutError:
                    now = self.clock.now()
                    if self.signer.read(request.cookies.get(COOKIE), now) is None:
                        await response.write(sse_frame("expired", {"now": format_rfc3339(now)}))
                        break  # the session ended while the page was open
                    frame = sse_frame("tick", {"now": format_rfc3339(now)})
                if frame is None:
                    break  # dropped as too slow, or shutting down
                await response.write(frame)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.hub.disconnect(client)
        return response
