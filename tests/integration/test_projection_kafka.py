"""A Faust deployment's case projection and inbound updates API: `sharpeyes pipeline project`."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
import standardwebhooks

from pipeline.core.casedesk import CaseDesk
from pipeline.core.enrich import enrich
from pipeline.core.state import DictCaseStore
from pipeline.topics import Topics
from pipeline.webhooks.signing import WebhookSecret
from pipeline.worker_process import free_port
from sharpeyes.contract import CaseStatus, CaseUpdate, decode_case_update
from sharpeyes.registry import load_registry
from tests.integration.pipeline_worker import produce, read_all, write_config
from tests.pipeline.conftest import make_alert

pytestmark = pytest.mark.kafka


def _post(url: str, body: bytes, secret: WebhookSecret, msg_id: str) -> int:
    now = datetime.now(UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": standardwebhooks.Webhook(secret.encoded()).sign(msg_id, now, body.decode()),
        "content-type": "application/json",
    }
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_projection_follows_the_case_topic_and_backs_the_inbound_api(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path
) -> None:
    registry = load_registry(demo_district)
    desk, store = CaseDesk(), DictCaseStore()
    alert = make_alert("p1", "cam-b-001-facade", at=datetime.now(UTC))
    events = desk.on_alert(store, enrich(alert, registry.index), alert.ts)
    case_id = events[0].case_id
    topics = Topics(topic_prefix)
    config = write_config(
        tmp_path / "pipeline.yaml",
        app_id=f"{topic_prefix}-proj",
        bootstrap=kafka_bootstrap,
        prefix=topic_prefix,
        partitions=2,
        registry=demo_district,
    )
    produce(
        kafka_bootstrap, [(topics.cases, e.case_id.encode(), e.to_bytes()) for e in events * 2]
    )  # + repeats

    secret = WebhookSecret.generate()
    port = free_port()
    db = tmp_path / "projection.sqlite"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sharpeyes.cli",
            "pipeline",
            "project",
            "--config",
            str(config),
            "--db",
            str(db),
            "--inbound",
            f"127.0.0.1:{port}",
        ],
        env={**os.environ, "SHARPEYES_INBOUND_SECRET": secret.encoded()},
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "project.log").open("wb"),
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            time.sleep(0.5)
            if db.exists():
                with sqlite3.connect(db) as conn:
                    try:
                        row = conn.execute(
                            "SELECT status FROM cases WHERE case_id = ?", (case_id,)
                        ).fetchone()
                    except sqlite3.OperationalError:
                        row = None
                status = row[0] if row else None
        assert status == "open", (tmp_path / "project.log").read_text()[-2000:]
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT COUNT(*) FROM case_events").fetchone()[0] == len(events)

        url = f"http://127.0.0.1:{port}/api/v1/cases/{{}}/updates"
        update = CaseUpdate(
            update_id="cs-1",
            case_id=case_id,
            status=CaseStatus.DISPATCHED,
            ts=datetime.now(UTC),
            actor="case-system",
        )
        body = update.to_bytes()
        assert _post(url.format(case_id), body, secret, "wh-1") == 202
        assert _post(url.format(case_id), body, secret, "wh-1") == 409  # replay
        ghost = json.loads(body)
        ghost["case_id"] = "gr-x.B-x.smoke.0000000000"
        assert _post(url.format(ghost["case_id"]), json.dumps(ghost).encode(), secret, "wh-2") == 404
        assert _post(url.format(case_id), body, WebhookSecret.generate(), "wh-3") == 401
        published = [
            decode_case_update(v)
            for v in read_all(kafka_bootstrap, topics.case_updates, until=1, quiet_s=1.0, timeout_s=30)
        ]
        assert [u.update_id for u in published] == ["cs-1"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_evidence_links_resolve_from_the_snapshot_archive(
    tmp_path: Path, kafka_bootstrap: str, topic_prefix: str, demo_district: Path
) -> None:
    """`project --evidence` files snapshots from the raw alerts and serves the webhooks' signed links."""
    import base64
    import hashlib
    from datetime import timedelta

    from pipeline.webhooks.evidence_links import EvidenceLinkSigner
    from sharpeyes.contract import Evidence
    from tests.pipeline.console.conftest import jpeg_b64

    topics = Topics(topic_prefix)
    config = write_config(
        tmp_path / "pipeline.yaml",
        app_id=f"{topic_prefix}-ev",
        bootstrap=kafka_bootstrap,
        prefix=topic_prefix,
        partitions=2,
        registry=demo_district,
    )
    b64 = jpeg_b64("EV")
    jpeg = base64.b64decode(b64)
    good = make_alert("ev-1", "cam-b-001-facade").model_copy(
        update={"evidence": Evidence(snapshot_jpeg=b64, sha256=hashlib.sha256(jpeg).hexdigest())}
    )
    forged = make_alert("ev-2", "cam-b-001-facade").model_copy(
        update={"evidence": Evidence(snapshot_jpeg=b64, sha256="0" * 64)}
    )
    produce(
        kafka_bootstrap,
        [(topics.alerts_raw, b"cam-b-001-facade", a.to_bytes()) for a in (good, forged)]
        + [(topics.alerts_raw, b"cam-x", b"{garbage")],
    )
    key = "k" * 32
    port = free_port()
    signer = EvidenceLinkSigner(key.encode(), f"http://127.0.0.1:{port}", timedelta(days=7))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sharpeyes.cli",
            "pipeline",
            "project",
            "--config",
            str(config),
            "--db",
            str(tmp_path / "projection.sqlite"),
            "--evidence",
            f"127.0.0.1:{port}",
        ],
        env={**os.environ, "SHARPEYES_EVIDENCE_KEY": key},
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "project.log").open("wb"),
    )

    def fetch(url: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return int(resp.status), resp.read()
        except urllib.error.HTTPError as exc:
            return int(exc.code), b""
        except OSError:
            return 0, b""  # not listening yet

    try:
        deadline = time.monotonic() + 60
        status, body = 0, b""
        while time.monotonic() < deadline and status != 200:
            time.sleep(0.5)
            status, body = fetch(signer.url_for("ev-1"))
        assert (status, body) == (200, jpeg), (tmp_path / "project.log").read_text()[-2000:]
        tampered = signer.url_for("ev-1").replace("expires=", "expires=1")
        assert fetch(tampered)[0] == 403
        past = signer.url_for("ev-1", now=datetime.now(UTC) - timedelta(days=8))
        assert fetch(past)[0] == 403  # expired
        assert fetch(signer.url_for("ev-2"))[0] == 404  # its picture did not match its sha256
        assert fetch(signer.url_for("ev-404"))[0] == 404
        assert (tmp_path / "projection.sqlite.evidence").exists()
        assert key not in (tmp_path / "project.log").read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
