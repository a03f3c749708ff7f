"""The documented case JSON, its Open311 form, and the signed evidence links inside them."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from pipeline.webhooks.body import render
from pipeline.webhooks.categories import CATEGORIES
from pipeline.webhooks.config import EndpointConfig
from pipeline.webhooks.evidence_links import (
    EvidenceLinkSigner,
    InMemorySnapshotStore,
    LinkError,
    add_evidence_route,
)
from pipeline.webhooks.open311 import to_open311
from pipeline.webhooks.payload import PayloadBuilder
from pipeline.webhooks.signing import WebhookSecret
from sharpeyes.clock import ManualClock
from sharpeyes.contract import AlertKind, CaseStatus, StatusChange
from sharpeyes.registry import load_registry
from tests.pipeline.webhooks.webhook_testkit import EventFactory

NOW = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
KEY = b"k" * 32


def signer(clock: ManualClock | None = None) -> EvidenceLinkSigner:
    return EvidenceLinkSigner(KEY, "https://pipeline.example/", timedelta(hours=1), clock or ManualClock(NOW))


def test_every_alert_kind_has_a_category_with_both_titles() -> None:
    assert set(CATEGORIES) == set(AlertKind)
    codes = [c.code for c in CATEGORIES.values()]
    assert len(set(codes)) == len(codes)
    assert all(c.zh and c.en and c.code.startswith("SE-") for c in CATEGORIES.values())


def test_payload_has_the_documented_fields(case_event: EventFactory, demo_district: object) -> None:
    buildings = load_registry(demo_district).buildings  # type: ignore[arg-type]
    event = case_event("case-7", 2)
    doc = json.loads(PayloadBuilder(buildings, signer()).build(event, now=NOW).to_bytes())
    case = doc["case"]
    assert doc["schema"] == "sharpeyes.case_webhook/1"
    assert doc["event"] == {
        "id": "case-7:2",
        "type": "opened",
        "ts": "2026-03-02T09:00:02.000Z",
        "alert_id": "al-case-7-2",
    }
    assert case["category"] == {
        "code": "SE-0101",
        "kind": "corridor_clutter",
        "name": {"zh": "楼道堆物（消防通道占用）", "en": "Corridor or fire-escape clutter"},
    }
    building = buildings["B-001"]
    assert case["title"] == {
        "zh": f"楼道堆物（消防通道占用）：{building.address} 5层",
        "en": "Corridor or fire-escape clutter at B-001, floor 5",
    }
    assert case["location"] == {
        "address": building.address,
        "building": "B-001",
        "building_name": building.name,
        "floor": 5,
        "zone": "fire_lane",
        "grid_path": {"street": "st-01", "community": "cm-01", "grid": "gr-01-01", "building": "B-001"},
        "lat": building.lat,
        "lon": building.lon,
    }
    assert (case["first_seen"], case["last_seen"], case["alert_count"]) == (
        "2026-03-02T08:58:00.000Z",
        "2026-03-02T09:00:02.000Z",
        3,
    )
    assert case["sla"] == {
        "respond_by": "2026-03-02T11:00:00.000Z",
        "resolve_by": "2026-03-03T09:00:00.000Z",
        "escalation_level": None,
    }
    [evidence] = case["evidence"]
    assert evidence["url"].startswith("https://pipeline.example/evidence/al-case-7-0?expires=")
    assert case["status_history"] == [
        {"status": "open", "at": "2026-03-02T09:00:00.000Z", "by": "pipeline", "note": None}
    ]


def test_without_a_registry_the_location_falls_back_to_ids(case_event: EventFactory) -> None:
    doc = PayloadBuilder().build(case_event(building=None, floor=None))
    assert doc.case.title.en == "Corridor or fire-escape clutter at gr-01-01"
    assert (doc.case.location.address, doc.case.location.lat) == (None, None)
    assert doc.case.evidence[0].url is None


def test_open311_mapping(case_event: EventFactory) -> None:
    event = case_event("case-3", 1)
    closed = event.case.model_copy(
        update={
            "status": CaseStatus.CLOSED,
            "history": [
                *event.case.history,
                StatusChange(status=CaseStatus.CLOSED, at=NOW, by="x", note="已清理"),
            ],
        }
    )
    payload = PayloadBuilder(links=signer()).build(event.model_copy(update={"case": closed}), now=NOW)
    doc = to_open311(payload, jurisdiction_id="hz-gongshu")
    assert doc["service_request_id"] == "case-3"
    assert (doc["status"], doc["status_notes"]) == ("closed", "closed: 已清理")
    assert (doc["service_code"], doc["service_name"]) == ("SE-0101", "Corridor or fire-escape clutter")
    assert doc["requested_datetime"] == "2026-03-02T09:00:00.000Z"
    assert doc["expected_datetime"] == "2026-03-03T09:00:00.000Z"
    assert doc["media_url"] == payload.case.evidence[0].url
    assert (doc["address_id"], doc["jurisdiction_id"], doc["agency_responsible"]) == (
        "B-001",
        "hz-gongshu",
        "gr-01-01",
    )
    assert set(doc) >= {"lat", "long", "address", "description", "updated_datetime"}


def test_render_picks_the_endpoint_format(case_event: EventFactory) -> None:
    secret = [WebhookSecret.generate().encoded()]
    payload = PayloadBuilder().build(case_event())
    plain = EndpointConfig(name="a", url="http://x/", secrets=secret)
    georeport = EndpointConfig(name="b", url="http://x/", secrets=secret, format="open311")
    assert json.loads(render(payload, plain))["case"]["id"] == "case-0001"
    assert json.loads(render(payload, georeport))["service_request_id"] == "case-0001"


def test_evidence_links_verify_and_expire() -> None:
    clock = ManualClock(NOW)
    links = signer(clock)
    url = links.url_for("al-1")
    query = dict(part.split("=") for part in url.split("?")[1].split("&"))
    links.check("al-1", query["expires"], query["sig"])
    with pytest.raises(LinkError, match="bad signature"):
        links.check("al-2", query["expires"], query["sig"])
    with pytest.raises(LinkError, match="bad signature"):
        links.check("al-1", str(int(query["expires"]) + 3600), query["sig"])
    clock.advance(timedelta(hours=1, seconds=1))
    with pytest.raises(LinkError, match="expired"):
        links.check("al-1", query["expires"], query["sig"])


def test_evidence_route_serves_snapshots_only_behind_a_valid_link() -> None:
    links = EvidenceLinkSigner(KEY, "http://unused", timedelta(minutes=5))
    store = InMemorySnapshotStore({"al-1": b"\xff\xd8jpeg"})

    async def main() -> list[tuple[int, bytes]]:
        app = web.Application()
        add_evidence_route(app, links, store)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        base = str(server.make_url("")).rstrip("/")
        good = links.url_for("al-1").replace("http://unused", base)
        missing = links.url_for("al-9").replace("http://unused", base)
        forged = good.replace("sig=", "sig=x")
        out = []
        try:
            async with aiohttp.ClientSession() as session:
                for url in (good, missing, forged, f"{base}/evidence/al-1"):
                    async with session.get(url) as response:
                        out.append((response.status, await response.read()))
        finally:
            await server.close()
        return out

    results = asyncio.run(asyncio.wait_for(main(), 10))
    assert [status for status, _ in results] == [200, 404, 403, 403]
    assert results[0][1] == b"\xff\xd8jpeg"
