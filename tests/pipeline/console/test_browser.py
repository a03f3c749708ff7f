"""The console in Debian's headless chromium, driven by Playwright (no browser download).

Logs in, watches a live alert arrive, opens its case, marks it false positive and sees the board
change; saves screenshots to ``build/console-screenshots/`` (to ``docs/`` with
``SHARPEYES_UPDATE_SCREENSHOTS=1``, which refreshes the README's pictures). Skips when chromium or
playwright is absent, except under CI.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from pipeline.console.app import FEED, build_console
from pipeline.console.evidence import MemoryEvidenceStore
from sharpeyes.clock import SystemClock
from sharpeyes.contract import AlertKind, CaseStatus, CaseUpdate, Severity, ThrowAttributes
from sharpeyes.registry import SiteRegistry
from tests.pipeline.conftest import make_alert
from tests.pipeline.console.conftest import PASSWORDS, RecordingSink, console_accounts, with_snapshot

CHROMIUM = Path("/usr/bin/chromium")
_REPO = Path(__file__).resolve().parents[3]
# a test run must not dirty the tree: the committed pictures change only when asked to
DOCS = (
    _REPO / "docs"
    if os.environ.get("SHARPEYES_UPDATE_SCREENSHOTS") == "1"
    else _REPO / "build" / "console-screenshots"
)
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def _need_browser() -> Any:
    sync_playwright: Callable[[], Any] | None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = [n for n, ok in (("chromium", CHROMIUM.exists()), ("playwright", sync_playwright)) if not ok]
    if missing:
        reason = (
            f"{' and '.join(missing)} not installed (apt-get install -y chromium; pip install playwright)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


class ServerThread:
    """The console and the embedded pipeline on one event loop in a thread, as in ``sharpeyes demo``."""

    def __init__(self, app: web.Application) -> None:
        self.loop = asyncio.new_event_loop()
        self.app = app
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        self.runner = web.AppRunner(self.app)
        self.call(self.runner.setup())
        self.call(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        return self

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def run(self, fn: Callable[[], Any]) -> Any:
        async def wrapped() -> Any:
            return fn()

        return self.call(wrapped())

    def __exit__(self, *exc: object) -> None:
        self.call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _seed(runner: Any, evidence: MemoryEvidenceStore, sink: RecordingSink, now: datetime) -> None:
    """A plausible morning: a few open cases of different kinds, one dispatched, one overdue."""

    def submit(alert: Any) -> None:
        evidence.keep_raw(alert.to_bytes())
        runner.submit_alert(alert.to_bytes())

    submit(
        with_snapshot(
            make_alert("s-1", "cam-b-003-f04-corridor", AlertKind.CORRIDOR_CLUTTER, now - timedelta(hours=3))
        )
    )
    submit(
        with_snapshot(make_alert("s-2", "cam-b-001-lift", AlertKind.EBIKE_INDOOR, now - timedelta(hours=30)))
    )
    submit(make_alert("s-3", "cam-b-004-f02-corridor", AlertKind.FIRE_DOOR_OPEN, now - timedelta(minutes=50)))
    submit(
        make_alert(
            "s-4", "cam-b-006-f05-corridor", AlertKind.EBIKE_CHARGING, now - timedelta(hours=5), Severity.HIGH
        )
    )
    track = [[i * 0.04, 300 + 6 * i, 40 + 0.9 * (i * 4) ** 1.6] for i in range(30)]
    throw = make_alert(
        "s-5", "cam-b-005-facade", AlertKind.HIGH_ALTITUDE_THROW, now - timedelta(minutes=4), Severity.HIGH
    )
    submit(
        with_snapshot(
            throw.model_copy(update={"attributes": ThrowAttributes(origin_floor=14, trajectory=track)})
        )
    )
    for _ in range(3):
        runner.tick()  # the 30-hour-old case escalates
    dispatched = next(
        c for c in runner.projection.cases(CaseStatus.OPEN) if c.kind is AlertKind.CORRIDOR_CLUTTER
    )
    update = CaseUpdate(
        update_id="seed-1",
        case_id=dispatched.case_id,
        status=CaseStatus.DISPATCHED,
        ts=now,
        actor="console:op1",
    )
    sink(update)


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data dir
            executable_path=str(CHROMIUM),
            args=ARGS,
            viewport={"width": 1600, "height": 900},
            locale="zh-CN",
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()


def test_operator_marks_a_live_alert_false_positive(
    browser_page: Any, registry: SiteRegistry, tmp_path: Path
) -> None:
    from pipeline.embedded import EmbeddedPipeline

    page = browser_page
    DOCS.mkdir(parents=True, exist_ok=True)
    clock = SystemClock()
    runner = EmbeddedPipeline(registry, str(tmp_path / "state.sqlite"), clock=clock)
    evidence = MemoryEvidenceStore()
    sink = RecordingSink(runner)
    _seed(runner, evidence, sink, clock.now())
    app = build_console(runner.projection, sink, registry, console_accounts(), clock, evidence)
    runner.subscribe(app[FEED].publish)
    with ServerThread(app) as server:
        base = f"http://127.0.0.1:{server.port}"
        page.goto(base + "/")
        assert page.url == base + "/login"
        page.fill("#username", "op1")
        page.fill("#password", PASSWORDS["op1"])
        page.screenshot(path=str(DOCS / "console-login.png"))
        page.click("#login-button")
        page.wait_for_selector("#live.on")
        page.wait_for_selector(".col-open .card")

        live = with_snapshot(make_alert("a-live", "cam-b-002-lift", AlertKind.EBIKE_INDOOR, clock.now()))
        server.run(lambda: (evidence.keep_raw(live.to_bytes()), runner.submit_alert(live.to_bytes())))
        item = page.wait_for_selector('#feed li[data-alert="a-live"]')
        case_id = item.get_attribute("data-case")
        page.wait_for_selector(f'.col-open .card[data-case="{case_id}"]')
        page.wait_for_function(
            "[...document.querySelectorAll('#feed img.thumb')].some(i => i.naturalWidth > 0)"
        )
        page.screenshot(path=str(DOCS / "console-board.png"))

        item.click()
        page.wait_for_selector(f'.case-page[data-case="{case_id}"] .evidence img')
        page.screenshot(path=str(DOCS / "console-case.png"))
        page.click('button[data-action="false_positive"]')
        page.wait_for_selector(f'.case-page[data-status="{CaseStatus.REJECTED_FALSE_POSITIVE.value}"]')

        page.click('#tabs a[data-view="board"]')
        page.wait_for_selector(f'.col-done .card[data-case="{case_id}"]')
        assert page.query_selector(f'.col-open .card[data-case="{case_id}"]') is None
        page.screenshot(path=str(DOCS / "console-board-after.png"))
        assert server.run(lambda: runner.projection.status_of(case_id)) is CaseStatus.REJECTED_FALSE_POSITIVE
        assert [u.actor for u in sink.updates][-1] == "console:op1"

        throw = next(c for c in runner.projection.cases() if c.kind is AlertKind.HIGH_ALTITUDE_THROW)
        page.goto(f"{base}/#/case/{throw.case_id}")
        page.wait_for_selector("svg.trajectory polyline")
        page.screenshot(path=str(DOCS / "console-throw.png"))
        page.click('#tabs a[data-view="map"]')
        page.wait_for_selector("svg.map g.grid")
        open_grids = server.run(
            lambda: {c.location.grid for c in runner.projection.cases() if not c.status.is_terminal}
        )
        assert page.locator('svg.map g.grid:not([data-open="0"])').count() == len(open_grids) >= 2
        page.screenshot(path=str(DOCS / "console-map.png"))
        page.click('#tabs a[data-view="stats"]')
        page.wait_for_selector("table.stats")
        page.screenshot(path=str(DOCS / "console-stats.png"))
    assert datetime.now(UTC) > clock.now() - timedelta(seconds=1)
