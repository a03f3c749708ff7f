"""The console over real HTTP on 127.0.0.1: who gets in, what actions do, what the feed shows."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from pipeline.console.sessions import COOKIE
from sharpeyes.contract import AlertKind, CaseStatus
from sharpeyes.registry import SiteRegistry
from tests.pipeline.conftest import make_alert
from tests.pipeline.console.conftest import PASSWORDS, Rig, camera_of, make_rig, serve, with_snapshot


def run(scenario: Callable[[], Awaitable[None]], timeout: float = 20) -> None:
    asyncio.run(asyncio.wait_for(scenario(), timeout))


async def login(client: TestClient, username: str = "op1", password: str | None = None) -> Any:
    return await client.post(
        "/api/login", json={"username": username, "password": password or PASSWORDS[username]}
    )


def open_case(rig: Rig, registry: SiteRegistry, alert_id: str = "a-1") -> str:
    rig.submit(with_snapshot(make_alert(alert_id, camera_of(registry, "elevator"))))
    (case,) = rig.runner.projection.cases(CaseStatus.OPEN)
    return case.case_id


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/cases", id="cases"),
        pytest.param("GET", "/api/cases/{case}", id="one-case"),
        pytest.param("GET", "/api/evidence/a-1", id="evidence"),
        pytest.param("GET", "/events", id="event-stream"),
        pytest.param("GET", "/api/stats", id="stats"),
        pytest.param("GET", "/api/map", id="map"),
        pytest.param("POST", "/api/cases/{case}/actions", id="action"),
    ],
)
def test_anonymous_requests_get_401(registry: SiteRegistry, tmp_path: Path, method: str, path: str) -> None:
    rig = make_rig(registry, tmp_path)
    case_id = open_case(rig, registry)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            url = path.format(case=case_id)
            resp = await client.request(method, url, json={"action": "confirm"})
            assert resp.status == 401, url
            assert await resp.json() == {"error": "unauthenticated"}
            forged = await client.request(method, url, cookies={COOKIE: "eyJ1Ijoib3AxIn0.bm90LWEtbWFj"})
            assert forged.status == 401
            assert rig.sink.updates == []

    run(scenario)


def test_pages_redirect_to_login_and_static_assets_are_local(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            resp = await client.get("/", allow_redirects=False)
            assert resp.status == 302 and resp.headers["Location"] == "/login"
            page = await client.get("/login")
            assert page.status == 200
            html = await page.text()
            assert "http://" not in html and "https://" not in html  # no CDN
            assert "default-src 'self'" in page.headers["Content-Security-Policy"]

    run(scenario)


def test_wrong_password_is_refused_and_right_one_sets_a_strict_httponly_cookie(
    registry: SiteRegistry, tmp_path: Path
) -> None:
    rig = make_rig(registry, tmp_path)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            assert (await login(client, "op1", "wrong")).status == 401
            assert (await login(client, "nobody", "wrong")).status == 401
            assert (await client.get("/api/cases")).status == 401
            ok = await login(client)
            assert ok.status == 200
            assert (await ok.json())["role"] == "operator"
            header = ok.headers["Set-Cookie"]
            assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age=28800" in header
            assert (await client.get("/api/cases")).status == 200

    run(scenario)


def test_repeated_failures_are_throttled_with_retry_after(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            for _ in range(3):
                assert (await login(client, "op1", "guess")).status == 401
            blocked = await login(client)  # even the right password, while throttled
            assert blocked.status == 429
            assert 0 < int(blocked.headers["Retry-After"]) <= 600
            assert (await login(client, "sup1")).status == 200  # another account from here is not locked
            rig.clock.advance(timedelta(minutes=10, seconds=1))
            assert (await login(client)).status == 200

    run(scenario)


def test_sessions_expire(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            assert (await login(client)).status == 200
            rig.clock.advance(timedelta(hours=7, minutes=59))
            assert (await client.get("/api/cases")).status == 200
            rig.clock.advance(timedelta(minutes=1))
            assert (await client.get("/api/cases")).status == 401
            assert (await client.get("/events")).status == 401

    run(scenario)


def test_actions_go_through_the_update_path_and_the_board_changes(
    registry: SiteRegistry, tmp_path: Path
) -> None:
    rig = make_rig(registry, tmp_path)
    case_id = open_case(rig, registry)

    async def act(client: TestClient, action: str, note: str | None = None) -> Any:
        return await client.post(f"/api/cases/{case_id}/actions", json={"action": action, "note": note})

    async def board(client: TestClient, status: str) -> list[str]:
        doc = await (await client.get(f"/api/cases?status={status}")).json()
        return [c["case_id"] for c in doc["cases"]]

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            await login(client)
            assert await board(client, "open") == [case_id]
            detail = await (await client.get(f"/api/cases/{case_id}")).json()
            assert detail["actions"] == ["confirm", "false_positive", "note"]
            assert (await act(client, "close")).status == 403  # operators do not close

            resp = await act(client, "confirm")
            assert resp.status == 202
            (update,) = rig.sink.updates
            assert (update.case_id, update.status, update.actor) == (
                case_id,
                CaseStatus.DISPATCHED,
                "console:op1",
            )
            assert await board(client, "open") == []
            assert await board(client, "dispatched") == [case_id]

            assert (await act(client, "note", "   ")).status == 400
            assert (await act(client, "note", "已电话联系物业")).status == 202
            detail = await (await client.get(f"/api/cases/{case_id}")).json()
            assert detail["case"]["status"] == "dispatched"
            assert detail["case"]["history"][-1]["note"] == "已电话联系物业"
            assert [e["type"] for e in detail["events"]][-2:] == ["status_changed", "status_changed"]

            assert (await act(client, "false_positive")).status == 403  # dispatched: supervisor only
            await client.post("/api/logout")
            await login(client, "sup1")
            assert (await act(client, "false_positive", "雨伞误识别")).status == 202
            assert await board(client, "dispatched") == []
            assert await board(client, "rejected_false_positive") == [case_id]
            assert (await act(client, "note", "late")).status == 409
            assert [u.status for u in rig.sink.updates] == [
                CaseStatus.DISPATCHED,
                CaseStatus.DISPATCHED,
                CaseStatus.REJECTED_FALSE_POSITIVE,
            ]
            assert rig.runner.stats.dead_letters == 0

    run(scenario)


def test_actions_refuse_form_posts_and_unknown_actions(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)
    case_id = open_case(rig, registry)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            await login(client)
            url = f"/api/cases/{case_id}/actions"
            assert (await client.post(url, data={"action": "confirm"})).status == 415
            assert (await client.post(url, json={"action": "delete"})).status == 400
            assert (await client.post("/api/cases/nope/actions", json={"action": "confirm"})).status == 404
            assert rig.sink.updates == []

    run(scenario)


def test_live_feed_streams_new_case_events(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            await login(client)
            resp = await client.get("/events")
            assert resp.status == 200
            assert resp.headers["Content-Type"].startswith("text/event-stream")
            assert (await resp.content.readline()).startswith(b"event: hello")
            rig.submit(with_snapshot(make_alert("a-live", camera_of(registry, "elevator"))))
            frames: list[dict[str, Any]] = []
            for _ in range(40):
                line = await asyncio.wait_for(resp.content.readline(), 5)
                if line.startswith(b"data: ") and b'"case_id"' in line:
                    frames.append(json.loads(line[6:]))
                    break
            (frame,) = frames
            assert frame["type"] == "opened" and frame["alert_id"] == "a-live"
            assert frame["case_id"] == frame["case"]["case_id"]
            assert frame["case"]["kind"] == AlertKind.EBIKE_INDOOR.value
            assert "attributes" not in frame["case"]
            resp.close()

    run(scenario)


def test_evidence_is_served_behind_the_session(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)
    case_id = open_case(rig, registry, "a-ev")

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            await login(client)
            detail = await (await client.get(f"/api/cases/{case_id}")).json()
            assert detail["evidence"] == ["a-ev"]
            resp = await client.get("/api/evidence/a-ev")
            assert resp.status == 200 and resp.content_type == "image/jpeg"
            assert (await resp.read())[:2] == b"\xff\xd8"
            assert (await client.get("/api/evidence/unknown")).status == 404

    run(scenario)


def test_map_and_stats_count_open_cases(registry: SiteRegistry, tmp_path: Path) -> None:
    rig = make_rig(registry, tmp_path)
    cam = camera_of(registry, "elevator")
    grid = registry.buildings[registry.cameras[cam].building].grid
    community = registry.grids[grid].community
    case_id = open_case(rig, registry)
    rig.submit(make_alert("a-throw", camera_of(registry, "facade"), AlertKind.HIGH_ALTITUDE_THROW))

    async def scenario() -> None:
        async with serve(rig, registry) as (_, client):
            await login(client)
            geo = await (await client.get("/api/map")).json()
            assert len(geo["features"]) == len(registry.grids)
            opened = {f["properties"]["grid_id"]: f["properties"]["open"] for f in geo["features"]}
            assert opened[grid] >= 1 and sum(opened.values()) == 2
            await login(client, "sup1")
            await client.post(f"/api/cases/{case_id}/actions", json={"action": "false_positive"})
            geo = await (await client.get("/api/map")).json()
            assert sum(f["properties"]["open"] for f in geo["features"]) == 1
            stats = await (await client.get("/api/stats")).json()
            kinds = {r["kind"]: r for r in stats["by_kind"]}
            assert kinds["ebike_indoor"]["false_positive"] == 1 and kinds["high_altitude_throw"]["open"] == 1
            row = next(r for r in stats["by_community"] if r["community"] == community)
            assert row["false_positive"] >= 1
            assert stats["by_day"][0]["day"] == "2026-11-23" and stats["by_day"][0]["total"] == 2

    run(scenario)
