"""Case keys, routing keys and deterministic ids.

A *case key* is what makes two alerts one case: grid cell + building + kind. Commands for a case
travel keyed by its *routing key* (grid + building), which keeps every case key of a building on
one partition: per-key order holds, and building-level correlation (e-bike charging and smoke in the
same building) needs no cross-partition lookups. Case ids embed the routing key, so an update
from the case system, which names only the case id, can be routed to the partition owning the case.
"""

from __future__ import annotations

import hashlib

from sharpeyes.contract import AlertKind
from sharpeyes.contract.case import GridPath

NO_BUILDING = "-"
SEP = "|"


def routing_key(path: GridPath) -> str:
    return f"{path.grid}{SEP}{path.building or NO_BUILDING}"


def case_key(path: GridPath, kind: AlertKind) -> str:
    return f"{routing_key(path)}{SEP}{kind.value}"


def routing_key_of_case_key(key: str) -> str:
    grid, building, _kind = key.split(SEP)
    return f"{grid}{SEP}{building}"


def case_id_for(key: str, opening_alert_id: str) -> str:
    """Deterministic from the key and the opening alert: a replay or a crash cannot mint a second id.

    Readable for people on the phone: ``gr-01-02.B-017.smoke.3fa2c1d0e9``.
    """
    digest = hashlib.sha256(f"{key}\n{opening_alert_id}".encode()).hexdigest()[:10]
    grid, building, kind = key.split(SEP)
    return f"{grid}.{building}.{kind}.{digest}"


def routing_key_of_case_id(case_id: str) -> str | None:
    parts = case_id.split(".")
    if len(parts) != 4 or not all(parts):
        return None
    return f"{parts[0]}{SEP}{parts[1]}"


def event_id_for(case_id: str, seq: int) -> str:
    """The n-th event of a case: stable across replays, used as the webhook-id."""
    return f"{case_id}:{seq}"
