"""Standard Webhooks signing and verification (https://www.standardwebhooks.com/).

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``; the signature header holds one
``v1,<base64 HMAC-SHA256>`` per active secret, separated by spaces, so a receiver holding either the
old or the new secret accepts a message while secrets are rotated.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pipeline.webhooks.errors import BadSignature, MissingHeaders, SecretFormatError, StaleTimestamp
from sharpeyes.clock import Clock, SystemClock

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
DEFAULT_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class WebhookSecret:
    """The key bytes of one ``whsec_…`` secret; its repr never shows them."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < 16:
            raise SecretFormatError("a webhook secret needs at least 16 key bytes")

    @classmethod
    def parse(cls, text: str) -> WebhookSecret:
        body = text.removeprefix(SECRET_PREFIX)
        try:
            key = base64.b64decode(body + "=" * (-len(body) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise SecretFormatError("a webhook secret must be 'whsec_' followed by base64") from None
        return cls(key)

    @classmethod
    def generate(cls) -> WebhookSecret:
        return cls(secrets.token_bytes(32))

    def encoded(self) -> str:
        return SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")

    def sign(self, msg_id: str, timestamp: int, body: bytes) -> str:
        content = f"{msg_id}.{timestamp}.".encode() + body
        digest = hmac.new(self.key, content, hashlib.sha256).digest()
        return "v1," + base64.b64encode(digest).decode("ascii")


def sign_headers(active: Sequence[WebhookSecret], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one delivery attempt."""
    if not active:
        raise SecretFormatError("at least one secret is needed to sign")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(s.sign(msg_id, timestamp, body) for s in active),
    }


@dataclass(frozen=True)
class VerifiedMessage:
    msg_id: str
    timestamp: datetime


class Verifier:
    """Checks headers, timestamp tolerance and signature, in that order; raises a ``VerificationError``."""

    def __init__(
        self,
        active: Sequence[WebhookSecret],
        tolerance: timedelta = DEFAULT_TOLERANCE,
        clock: Clock | None = None,
    ) -> None:
        if not active:
            raise SecretFormatError("at least one secret is needed to verify")
        self._secrets = tuple(active)
        self._tolerance = tolerance
        self._clock = clock or SystemClock()

    def verify(self, headers: Mapping[str, str], body: bytes) -> VerifiedMessage:
        lowered = {k.lower(): v for k, v in headers.items()}
        msg_id = lowered.get("webhook-id", "")
        stamp = lowered.get("webhook-timestamp", "")
        signature = lowered.get("webhook-signature", "")
        if not (msg_id and stamp and signature):
            raise MissingHeaders("webhook-id, webhook-timestamp and webhook-signature are required")
        if not stamp.isdigit() or len(stamp) > 12:
            raise StaleTimestamp("webhook-timestamp must be integer seconds since the epoch")
        timestamp = int(stamp)
        now = self._clock.now()
        try:
            sent = datetime.fromtimestamp(timestamp, now.tzinfo)
        except (OverflowError, ValueError, OSError):
            raise StaleTimestamp("webhook-timestamp is out of range") from None
        if abs(now - sent) > self._tolerance:
            raise StaleTimestamp(f"webhook-timestamp is more than {self._tolerance} away from now")
        offered = [p.removeprefix("v1,").encode() for p in signature.split() if p.startswith("v1,")]
        for secret in self._secrets:
            expected = secret.sign(msg_id, timestamp, body).removeprefix("v1,").encode()
            if any(hmac.compare_digest(expected, candidate) for candidate in offered):
                return VerifiedMessage(msg_id, sent)
        raise BadSignature("no v1 signature matches an active secret")
