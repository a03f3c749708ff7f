"""The webhook package's errors; ``retriable`` tells a caller whether trying again can help."""

from __future__ import annotations

from sharpeyes.errors import SharpEyesError


class WebhookError(SharpEyesError):
    """Base of every error raised by ``pipeline.webhooks``."""


class SecretFormatError(WebhookError):
    """A secret is not ``whsec_`` followed by base64 key bytes."""


class VerificationError(WebhookError):
    """An inbound message failed Standard Webhooks verification; ``reason`` is machine-readable."""

    reason = "bad_signature"

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


class MissingHeaders(VerificationError):
    reason = "missing_headers"


class StaleTimestamp(VerificationError):
    reason = "stale_timestamp"


class BadSignature(VerificationError):
    reason = "bad_signature"


class PublishError(WebhookError):
    """Kafka did not take a message; the caller may try again."""

    retriable = True
