"""Delivering one body to one endpoint until it is accepted or the retry policy gives up.

Each attempt is signed afresh (a new ``webhook-timestamp``) under the same ``webhook-id``; the
endpoint's circuit breaker decides whether an attempt may go out at all.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import aiohttp

from pipeline.webhooks.breaker import CircuitBreaker
from pipeline.webhooks.metrics import WebhookMetrics
from pipeline.webhooks.retry import (
    AttemptOutcome,
    BackoffPolicy,
    OutcomeKind,
    Step,
    decide,
    parse_retry_after,
)
from pipeline.webhooks.signing import WebhookSecret, sign_headers
from sharpeyes.clock import Clock, SystemClock
from sharpeyes.logs import fields

log = logging.getLogger(__name__)

_DETAIL_BYTES = 300


class Sender(Protocol):
    async def post(self, url: str, headers: dict[str, str], body: bytes, timeout_s: float) -> AttemptOutcome:
        """One POST; never raises for network trouble, it reports it as the outcome."""
        ...


class HttpSender:
    """POST with aiohttp; redirects are not followed (a moved endpoint is a config problem)."""

    def __init__(self, session: aiohttp.ClientSession, clock: Clock | None = None) -> None:
        self._session = session
        self._clock = clock or SystemClock()

    async def post(self, url: str, headers: dict[str, str], body: bytes, timeout_s: float) -> AttemptOutcome:
        try:
            async with self._session.post(
                url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=timeout_s),
                allow_redirects=False,
            ) as response:
                text = (await response.content.read(_DETAIL_BYTES)).decode("utf-8", "replace")
                return AttemptOutcome(
                    OutcomeKind.HTTP,
                    status=response.status,
                    retry_after_s=parse_retry_after(response.headers.get("Retry-After"), self._clock.now()),
                    detail=text.strip(),
                )
        except TimeoutError:
            return AttemptOutcome(OutcomeKind.TIMEOUT, detail=f"no answer within {timeout_s:g}s")
        except (aiohttp.ClientError, OSError) as exc:
            return AttemptOutcome(OutcomeKind.CONNECTION_ERROR, detail=f"{type(exc).__name__}: {exc}"[:200])


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: int
    first_attempt_at: datetime
    last_error: str = ""
    reason: str = ""


class EndpointDelivery:
    def __init__(
        self,
        name: str,
        url: str,
        secrets: Sequence[WebhookSecret],
        timeout_s: float,
        sender: Sender,
        policy: BackoffPolicy,
        breaker: CircuitBreaker,
        metrics: WebhookMetrics,
        limit: asyncio.Semaphore,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.url = url
        self._secrets = tuple(secrets)
        self._timeout_s = timeout_s
        self._sender = sender
        self._policy = policy
        self._breaker = breaker
        self._metrics = metrics
        self._limit = limit
        self._clock = clock or SystemClock()
        self._monotonic = monotonic
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        metrics.set_breaker(name, breaker.state)

    async def deliver(self, msg_id: str, body: bytes) -> DeliveryResult:
        first_at = self._clock.now()
        started = self._monotonic()
        attempts = 0
        last = ""
        while True:
            wait = self._breaker.acquire()
            self._metrics.set_breaker(self.name, self._breaker.state)
            if wait > 0:
                if self._monotonic() - started + wait > self._policy.max_age_s:
                    reason = f"circuit open past max age {self._policy.max_age_s:g}s"
                    return DeliveryResult(False, attempts, first_at, last or "circuit open", reason)
                await self._sleep(wait)
                continue
            try:
                outcome = await self._attempt(msg_id, body)
            except BaseException:
                self._breaker.release()
                raise
            attempts += 1
            last = outcome.describe()
            self._metrics.attempts.labels(endpoint=self.name, result=outcome.label).inc()
            if outcome.receiver_failed:
                self._breaker.record_failure()
            else:
                self._breaker.record_success()
            self._metrics.set_breaker(self.name, self._breaker.state)
            age = self._monotonic() - started
            decision = decide(self._policy, outcome, attempts, age, self._rng)
            if decision.step is Step.DELIVERED:
                self._metrics.latency.labels(endpoint=self.name).observe(age)
                return DeliveryResult(True, attempts, first_at)
            if decision.step is Step.GIVE_UP:
                return DeliveryResult(False, attempts, first_at, last, decision.reason)
            log.info(
                "webhook attempt failed",
                extra=fields(
                    endpoint=self.name,
                    webhook_id=msg_id,
                    attempt=attempts,
                    error=last,
                    retry_in_s=round(decision.delay_s, 3),
                ),
            )
            await self._sleep(decision.delay_s)

    async def _attempt(self, msg_id: str, body: bytes) -> AttemptOutcome:
        async with self._limit:
            headers = sign_headers(self._secrets, msg_id, int(self._clock.now().timestamp()), body)
            headers["content-type"] = "application/json"
            headers["user-agent"] = "sharpeyes-webhooks/1"
            return await self._sender.post(self.url, headers, body, self._timeout_s)
