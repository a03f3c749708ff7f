"""Publishing to Kafka behind a small Protocol, so the inbound API and dispatcher test without a broker."""

from __future__ import annotations

from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from pipeline.webhooks.errors import PublishError


class Publisher(Protocol):
    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        """Return once the broker has the message (acks=all); raise ``PublishError`` otherwise."""
        ...


class KafkaPublisher:
    def __init__(self, bootstrap_servers: str, request_timeout_ms: int = 15_000) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            request_timeout_ms=request_timeout_ms,
        )

    async def start(self) -> None:
        await self._producer.start()

    async def stop(self) -> None:
        await self._producer.stop()

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        try:
            await self._producer.send_and_wait(topic, value=value, key=key)
        except KafkaError as exc:
            raise PublishError(f"{topic}: {type(exc).__name__}: {exc}") from exc


class MemoryPublisher:
    """Keeps what was published, in order: for tests and the embedded mode."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes, bytes]] = []

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self.messages.append((topic, key, value))
