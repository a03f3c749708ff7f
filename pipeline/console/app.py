"""``build_console``: the console as one aiohttp application, ready to mount or to run alone."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from aiohttp.typedefs import Middleware

from pipeline.console.auth import Accounts
from pipeline.console.evidence import EvidenceStore
from pipeline.console.feed import FeedHub
from pipeline.console.login import LoginRoutes
from pipeline.console.ratelimit import LoginLimiter, LoginPolicy
from pipeline.console.sessions import COOKIE, DEFAULT_TTL, SessionSigner
from pipeline.console.sink import UpdateSink
from pipeline.console.stream import EventStream
from pipeline.console.views import ACCOUNT, ConsoleViews
from pipeline.projection import CaseProjection
from sharpeyes.clock import Clock
from sharpeyes.registry import SiteRegistry

STATIC = Path(__file__).parent / "static"
FEED: web.AppKey[FeedHub] = web.AppKey("feed", FeedHub)
PUBLIC = frozenset({"/login", "/api/login", "/api/logout", "/healthz", "/favicon.ico"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ConsoleSettings:
    session_ttl: timedelta = DEFAULT_TTL
    session_key: bytes | None = None  # None: a fresh key per start
    secure_cookies: bool = False  # set behind TLS
    login: LoginPolicy = field(default_factory=LoginPolicy)
    heartbeat: timedelta = timedelta(seconds=5)
    feed_queue: int = 256


def _auth_middleware(accounts: Accounts, signer: SessionSigner, clock: Clock) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        path = request.path
        if path not in PUBLIC and not path.startswith("/static/"):
            session = signer.read(request.cookies.get(COOKIE), clock.now())
            account = accounts.get(session.username) if session else None
            if account is None:
                if path.startswith("/api/") or path == "/events":
                    return web.json_response({"error": "unauthenticated"}, status=401)
                raise web.HTTPFound("/login")
            request[ACCOUNT] = account
        response = await handler(request)
        response.headers.update(SECURITY_HEADERS)
        if path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware


def _page(name: str) -> Handler:
    async def page(request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / name, headers={"Cache-Control": "no-cache"})

    return page


async def _health(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_console(
    projection: CaseProjection,
    update_sink: UpdateSink | None,
    registry: SiteRegistry,
    accounts: Accounts,
    clock: Clock,
    evidence_store: EvidenceStore | None = None,
    *,
    settings: ConsoleSettings | None = None,
    hub: FeedHub | None = None,
) -> web.Application:
    """The console app. Feed it case events with ``runner.subscribe(app[FEED].publish)`` (embedded)
    or a ``ProjectionTail`` (Faust); ``update_sink=None`` makes it read-only (actions answer 503)."""
    settings = settings or ConsoleSettings()
    hub = hub or FeedHub(queue_size=settings.feed_queue)
    signer = SessionSigner(settings.session_key, settings.session_ttl)
    limiter = LoginLimiter(clock, settings.login)
    app = web.Application(middlewares=[_auth_middleware(accounts, signer, clock)], client_max_size=64 * 1024)
    app[FEED] = hub

    async def bind(app: web.Application) -> None:
        hub.bind(asyncio.get_running_loop())

    async def close_feed(app: web.Application) -> None:
        hub.close_all()

    app.on_startup.append(bind)
    app.on_shutdown.append(close_feed)
    LoginRoutes(accounts, signer, limiter, clock, settings.secure_cookies).add_to(app)
    ConsoleViews(projection, update_sink, registry, clock, evidence_store).add_to(app)
    app.router.add_get("/events", EventStream(hub, signer, clock, settings.heartbeat).handle)
    app.router.add_get("/", _page("index.html"))
    app.router.add_get("/login", _page("login.html"))
    app.router.add_get("/healthz", _health)
    app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
    return app
