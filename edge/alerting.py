"""A draft from an analyzer → the wire ``Alert``: one place, for the running agent and for offline scans.

The id is stable for one event of one camera's stream (the same moment analysed again, after a restart or
by a rescan with the same start, gives the same id), which is what the pipeline's dedupe relies on.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

from edge.analyzer import AlertDraft
from edge.evidence import Snapshot
from sharpeyes.config import CameraConfig
from sharpeyes.contract import Alert
from sharpeyes.contract.alert import AgentInfo
from sharpeyes.timefmt import seconds

_NOT_IN_ID = re.compile(r"[^A-Za-z0-9._:\-/]")


def alert_id_for(camera_id: str, draft: AlertDraft, origin: datetime) -> str:
    """Stable for one event of one camera's stream: the same moment analysed again gives the same id."""
    key = draft.event_key or f"{draft.kind.value}-{round(draft.t_s * 1000)}"
    candidate = _NOT_IN_ID.sub("-", f"{camera_id}:{key}/{round(origin.timestamp() * 1000)}")
    if len(candidate) <= 128:
        return candidate
    return f"{camera_id[:60]}:{hashlib.sha256(candidate.encode()).hexdigest()[:40]}"


def alert_from_draft(draft: AlertDraft, camera: CameraConfig, origin: datetime, agent: AgentInfo) -> Alert:
    """The wire alert for a draft: id, source, absolute time, evidence (base64 + sha256), agent info."""
    evidence = None
    if draft.snapshot_jpeg is not None:
        digest = hashlib.sha256(draft.snapshot_jpeg).hexdigest()
        evidence = Snapshot(jpeg=draft.snapshot_jpeg, sha256=digest, quality=0, scale=1.0).to_evidence()
    return Alert(
        alert_id=alert_id_for(camera.id, draft, origin),
        source_id=camera.id,
        kind=draft.kind,
        ts=origin + seconds(draft.t_s),
        confidence=draft.confidence,
        severity=draft.severity,
        zone=draft.zone,
        bbox=list(draft.bbox) if draft.bbox is not None else None,
        evidence=evidence,
        attributes=draft.attributes,
        agent=agent,
    )
