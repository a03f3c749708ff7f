"""``python -m pipeline.console --db FILE --accounts FILE``: the console over a projection file.

The file can be the embedded runner's database or the projection a Faust deployment maintains; the
live feed tails it. Operator actions go to Kafka (``<prefix>.cases.updates``) when ``--bootstrap`` is
given; without it the console is read-only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import click
from aiohttp import web

from pipeline.console.app import FEED, ConsoleSettings, build_console
from pipeline.console.auth import load_accounts
from pipeline.console.sink import UpdateSink, kafka_sink
from pipeline.console.tail import ProjectionTail
from pipeline.projection import CaseProjection
from pipeline.topics import Topics
from pipeline.webhooks.publisher import KafkaPublisher
from sharpeyes.clock import SystemClock
from sharpeyes.registry import load_registry

log = logging.getLogger("pipeline.console")


@click.command()
@click.option(
    "--db", "db", required=True, type=click.Path(dir_okay=False), help="case projection SQLite file"
)
@click.option("--accounts", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--district", default="configs/district-demo", type=click.Path(exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--bootstrap", default=None, help="Kafka bootstrap servers for operator actions")
@click.option("--topic-prefix", default="sharpeyes", show_default=True)
@click.option("--session-hours", default=12.0, show_default=True, type=float)
@click.option("--secure-cookies", is_flag=True, help="mark the session cookie Secure (behind TLS)")
def main(
    db: str,
    accounts: Path,
    district: Path,
    host: str,
    port: int,
    bootstrap: str | None,
    topic_prefix: str,
    session_hours: float,
    secure_cookies: bool,
) -> None:
    from datetime import timedelta

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    projection = CaseProjection.open(db)
    publisher = KafkaPublisher(bootstrap) if bootstrap else None
    sink: UpdateSink | None = kafka_sink(publisher, Topics(topic_prefix).case_updates) if publisher else None
    settings = ConsoleSettings(session_ttl=timedelta(hours=session_hours), secure_cookies=secure_cookies)
    app = build_console(
        projection, sink, load_registry(district), load_accounts(accounts), SystemClock(), settings=settings
    )

    async def background(app: web.Application) -> AsyncIterator[None]:
        if publisher is not None:
            await publisher.start()
        tail = asyncio.create_task(ProjectionTail(projection.conn, app[FEED].publish).run())
        yield
        tail.cancel()
        if publisher is not None:
            await publisher.stop()

    app.cleanup_ctx.append(background)
    click.echo(f"console on http://{host}:{port}/ over {db} ({'actions to Kafka' if sink else 'read-only'})")
    web.run_app(app, host=host, port=port, print=None)


if __name__ == "__main__":
    main()
