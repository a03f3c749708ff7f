"""Log in and out: the only routes that touch passwords. Refusals: 401 wrong, 429 throttled."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from pipeline.console.auth import Accounts
from pipeline.console.ratelimit import LoginLimiter
from pipeline.console.sessions import COOKIE, SessionSigner
from sharpeyes.clock import Clock
from sharpeyes.logs import fields

log = logging.getLogger(__name__)


class LoginRoutes:
    def __init__(
        self,
        accounts: Accounts,
        signer: SessionSigner,
        limiter: LoginLimiter,
        clock: Clock,
        secure_cookies: bool = False,
    ) -> None:
        self.accounts = accounts
        self.signer = signer
        self.limiter = limiter
        self.clock = clock
        self.secure_cookies = secure_cookies

    async def login(self, request: web.Request) -> web.Response:
        try:
            doc: Any = await request.json()
            username, password = str(doc["username"]), str(doc["password"])
        except (ValueError, KeyError, TypeError):
            return web.json_response(
                {"error": "malformed", "detail": "send username and password"}, status=400
            )
        address = request.remote or "-"
        wait = self.limiter.retry_after(username, address)
        if wait:
            log.warning("login throttled", extra=fields(username=username, address=address, retry_after=wait))
            return web.json_response(
                {"error": "too_many_attempts", "retry_after": wait},
                status=429,
                headers={"Retry-After": str(wait)},
            )
        loop = asyncio.get_running_loop()
        account = await loop.run_in_executor(None, self.accounts.authenticate, username, password)
        if account is None:
            self.limiter.failed(username, address)
            log.info("login refused", extra=fields(username=username, address=address))
            return web.json_response({"error": "bad_credentials"}, status=401)
        self.limiter.succeeded(username, address)
        cookie, session = self.signer.issue(account.username, self.clock.now())
        response = web.json_response(
            {"username": account.username, "role": account.role.value, "expires": session.expires.isoformat()}
        )
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=int(self.signer.ttl.total_seconds()),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
        )
        log.info("login", extra=fields(username=account.username, role=account.role.value, address=address))
        return response

    async def logout(self, request: web.Request) -> web.Response:
        response = web.json_response({"ok": True})
        response.del_cookie(COOKIE, path="/")
        return response

    def add_to(self, app: web.Application) -> None:
        app.router.add_post("/api/login", self.login)
        app.router.add_post("/api/logout", self.logout)
