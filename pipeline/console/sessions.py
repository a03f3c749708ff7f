"""Signed, expiring session cookies: ``<payload b64url>.<hmac-sha256 b64url>``, no server-side store.

The payload names the account, its role and an absolute expiry (a shift, by default); the signature
key lives only in the console process (a fresh random key per start unless configured, so a restart
logs everyone out). The role is re-read from the accounts on every request, so a removed account
loses access at once even with a valid cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

COOKIE = "se_session"
DEFAULT_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Session:
    username: str
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionSigner:
    def __init__(self, key: bytes | None = None, ttl: timedelta = DEFAULT_TTL) -> None:
        self._key = key or secrets.token_bytes(32)
        self.ttl = ttl

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def issue(self, username: str, now: datetime) -> tuple[str, Session]:
        session = Session(username, now + self.ttl)
        doc = {"u": username, "exp": int(session.expires.timestamp()), "n": secrets.token_hex(8)}
        payload = _b64(json.dumps(doc, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}", session

    def read(self, cookie: str | None, now: datetime) -> Session | None:
        """The session the cookie carries, or None when it is absent, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            doc = json.loads(_unb64(payload))
            username, exp = str(doc["u"]), int(doc["exp"])
        except (ValueError, KeyError, TypeError):
            return None
        if now.timestamp() >= exp:
            return None
        return Session(username, datetime.fromtimestamp(exp, tz=now.tzinfo))
